"""``nii classify-description TEXT... [--json]``: the taxonomy category, HS 2022 suggestion and vagueness of goods
descriptions (design.md: one JSON object per text {"text", "category", "hs6", "confidence", "vague"})."""

from __future__ import annotations

import argparse
import json
import sys

from nii.describe import default_classifier


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "classify-description",
        help="map goods descriptions to a taxonomy category and an HS6 code",
        description=__doc__,
    )
    p.add_argument("texts", nargs="+", metavar="TEXT", help="goods descriptions (quote each one)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    classifier = default_classifier()
    results = [classifier.classify(t) for t in args.texts]
    out = sys.stdout
    if args.json:
        for r in results:
            out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        return 0
    width = min(max(len(r.text) for r in results), 50)
    out.write(f"{'text':{width}}  {'category':16}  {'hs6':6}  {'conf':>5}  vague\n")
    for r in results:
        out.write(
            f"{r.text[:width]:{width}}  {r.category or '-':16}  {r.hs6 or '-':6}  {r.confidence:5.2f}  "
            f"{'yes' if r.vague else 'no'}\n"
        )
    return 0
