"""Subcommands of the ``nii`` command defined by the domain library (one module per command)."""
