"""The synthetic parcel simulator: object library, parcel composer, line-scanner model, declarations, threat image
projection and the batch writer behind ``nii synth``. See docs/simulator.md."""
