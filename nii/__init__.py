"""NII: non-intrusive inspection of e-commerce parcels for customs.

The domain library: scan I/O (DICOS/DICOM), dual-energy physics and imaging, the taxonomy, declarations,
the cross-check, risk and the ``nii`` command. It never imports the layers above it (``models``,
``datasets``, ``training``, ``serve``); a detector is passed in.
"""

__version__ = "0.1.0"
