"""Feature scale: grid, level sets, advection, flux engine, surface models, metrics."""

__all__: list[str] = []
