"""Process steps: the coupling of the scales (one step kind per module, registered in
``process.registry``)."""

__all__: list[str] = []
