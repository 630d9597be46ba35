"""Input/output: atomic files, VTK for ParaView, plots, profiles, checkpoints."""

__all__: list[str] = []
