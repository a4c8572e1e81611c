"""A JPEG Lossless encoder (ITU-T T.81 Annex H, process 14, selection value 1): DICOM transfer syntax
1.2.840.10008.1.2.4.70, the default of the Stratovan DICOS toolkit.

pydicom 3 decodes this transfer syntax (with pylibjpeg-libjpeg or gdcm) but has no encoder for it, and no
permissively licensed Python package ships one, so NII carries this small one: first-order prediction from the
left neighbour (from above in the first column, 2**(P-1) for the first pixel), point transform 0, one
component, no restart markers, and a Huffman table built for the image (T.81 Annex K.2). Numpy only.
"""

from __future__ import annotations

import numpy as np

from nii.errors import InvalidScanError

_CHUNK_PIXELS = 1 << 18


def encode_jpeg_lossless_sv1(image: np.ndarray, *, precision: int | None = None) -> bytes:
    """Encodes one greyscale frame as a JPEG Lossless SV1 bitstream (SOI ... EOI).

    image: uint8 or uint16 [rows, cols]; precision: sample precision P in bits (2-16), by default 8 for uint8
    and 16 for uint16; every value must be < 2**P. Returns the bitstream bytes (even or odd length; DICOM
    encapsulation pads it).
    """
    img = np.asarray(image)
    if img.ndim != 2 or img.size == 0:
        raise InvalidScanError(f"JPEG Lossless encodes a non-empty 2-D frame, got shape {img.shape}")
    if img.dtype not in (np.uint8, np.uint16):
        raise InvalidScanError(f"JPEG Lossless encodes uint8 or uint16 samples, got dtype {img.dtype}")
    rows, cols = img.shape
    if rows > 0xFFFF or cols > 0xFFFF:
        raise InvalidScanError(f"JPEG frame is limited to 65535 x 65535 samples, got {rows} x {cols}")
    p = precision if precision is not None else img.dtype.itemsize * 8
    if not 2 <= p <= 16:
        raise InvalidScanError(f"JPEG Lossless precision must be 2-16 bits, got {p}")
    if int(img.max()) >= (1 << p):
        raise InvalidScanError(f"sample value {int(img.max())} does not fit the {p}-bit precision")

    ssss, extra = _differences(img.astype(np.int32), p)
    huffsize, huffcode, bits, huffval = _huffman_table(np.bincount(ssss.ravel(), minlength=17))
    entropy = _pack(ssss.ravel(), extra.ravel(), huffsize, huffcode)

    out = bytearray(b"\xff\xd8")
    out += b"\xff\xc3" + (11).to_bytes(2, "big") + bytes([p]) + rows.to_bytes(2, "big") + cols.to_bytes(2, "big")
    out += bytes([1, 1, 0x11, 0])
    out += b"\xff\xc4" + (3 + 16 + len(huffval)).to_bytes(2, "big") + bytes([0x00]) + bytes(bits[1:17])
    out += bytes(huffval)
    out += b"\xff\xda" + (8).to_bytes(2, "big") + bytes([1, 1, 0x00, 1, 0, 0])
    out += entropy
    out += b"\xff\xd9"
    return bytes(out)


def _differences(x: np.ndarray, precision: int) -> tuple[np.ndarray, np.ndarray]:
    """Prediction differences as (SSSS category int64 [rows, cols], additional bits int64 [rows, cols])."""
    pred = np.empty_like(x)
    pred[0, 0] = 1 << (precision - 1)
    pred[0, 1:] = x[0, :-1]
    pred[1:, 0] = x[:-1, 0]
    pred[1:, 1:] = x[1:, :-1]
    d = (((x - pred) + 32768) & 0xFFFF) - 32768  # modulo 2**16, in [-32768, 32767]
    absd = np.abs(d).astype(np.int64)
    ssss = np.frexp(absd.astype(np.float64))[1].astype(np.int64)  # bit length; 0 for 0, 16 for 32768
    extra = np.where(d >= 0, d, d + (1 << ssss) - 1).astype(np.int64)
    extra &= (1 << ssss) - 1
    return ssss, extra


def _huffman_table(freq_in: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
    """Optimal length-limited Huffman code for the 17 difference categories (T.81 K.2, as libjpeg builds it).

    Returns (code length per symbol int64 [17], code per symbol int64 [17], BITS list [33] (index = length),
    HUFFVAL list).
    """
    freq = [int(f) for f in freq_in[:17]] + [1]  # symbol 17 reserves the all-ones code point
    n = len(freq)
    codesize = [0] * n
    others = [-1] * n
    while True:
        c1 = -1
        v = 1 << 62
        for i in range(n):
            if freq[i] and freq[i] <= v:
                v, c1 = freq[i], i
        c2 = -1
        v = 1 << 62
        for i in range(n):
            if freq[i] and freq[i] <= v and i != c1:
                v, c2 = freq[i], i
        if c2 < 0:
            break
        freq[c1] += freq[c2]
        freq[c2] = 0
        codesize[c1] += 1
        while others[c1] >= 0:
            c1 = others[c1]
            codesize[c1] += 1
        others[c1] = c2
        codesize[c2] += 1
        while others[c2] >= 0:
            c2 = others[c2]
            codesize[c2] += 1
    bits = [0] * 40
    for size in codesize:
        if size:
            bits[size] += 1
    for i in range(39, 16, -1):  # limit code lengths to 16 bits (T.81 Figure K.3)
        while bits[i] > 0:
            j = i - 2
            while bits[j] == 0:
                j -= 1
            bits[i] -= 2
            bits[i - 1] += 1
            bits[j + 1] += 2
            bits[j] -= 1
    i = 16
    while bits[i] == 0:
        i -= 1
    bits[i] -= 1  # drop the reserved code point
    huffval = [s for size in range(1, 40) for s in range(17) if codesize[s] == size]
    huffsize = np.zeros(17, dtype=np.int64)
    huffcode = np.zeros(17, dtype=np.int64)
    code = 0
    k = 0
    for length in range(1, 17):
        for _ in range(bits[length]):
            huffsize[huffval[k]] = length
            huffcode[huffval[k]] = code
            code += 1
            k += 1
        code <<= 1
    return huffsize, huffcode, bits[:33], huffval


def _pack(ssss: np.ndarray, extra: np.ndarray, huffsize: np.ndarray, huffcode: np.ndarray) -> bytes:
    """Entropy-coded segment: Huffman code then additional bits per sample, 1-padded, 0xFF byte-stuffed."""
    extra_len = np.where(ssss == 16, 0, ssss)
    words = (huffcode[ssss] << extra_len) | np.where(ssss == 16, 0, extra)
    lengths = huffsize[ssss] + extra_len
    if np.any(huffsize[np.unique(ssss)] == 0):
        raise AssertionError("Huffman table misses a category that occurs")  # a bug, never bad input
    chunks: list[np.ndarray] = []
    for start in range(0, ssss.size, _CHUNK_PIXELS):
        w = words[start : start + _CHUNK_PIXELS]
        n = lengths[start : start + _CHUNK_PIXELS]
        owner = np.repeat(np.arange(w.size), n)
        ends = np.cumsum(n)
        pos_in_word = np.arange(owner.size) - (ends - n)[owner]
        shift = n[owner] - 1 - pos_in_word
        chunks.append(((w[owner] >> shift) & 1).astype(np.uint8))
    bitstream = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint8)
    pad = (-bitstream.size) % 8
    if pad:
        bitstream = np.concatenate([bitstream, np.ones(pad, dtype=np.uint8)])
    data = np.packbits(bitstream)
    ff = np.flatnonzero(data == 0xFF)
    if ff.size:
        data = np.insert(data, ff + 1, 0)
    return data.tobytes()
