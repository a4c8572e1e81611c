"""Benchmarks run by ``nii bench``; each module exposes ``register(subparsers)``."""
