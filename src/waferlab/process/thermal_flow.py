"""The standalone ``thermal:`` recipe as a process flow run by the process runner.

``waferlab thermal`` (and :func:`waferlab.run` with a ``thermal:`` recipe) build a flat-wafer
process recipe — bare silicon on a small 2D grid, nothing to etch — whose steps are the
section's steps, and run it with :func:`waferlab.runner.execute_recipe`, the runner of
``waferlab run``: one step loop, one log, one set of step seeds, the film-stress and
metric bookkeeping.  Each step carries the section's *graded depth mesh* (1D, or the 2D
cross-section with the graded lateral nodes of the mask edges) in the wafer field
``thermal_column`` instead of the wafer grid's uniform doping rows, with the section's
mesh check, so its junction accuracy (0.5 % for √(Dt) = 5 nm … 2 µm) is kept; the
physics per step is :func:`waferlab.thermal.run.apply_step`, so the results are those
of the thermal layer's own step loop (:func:`waferlab.thermal.run.simulate`, which the
layer rule keeps from importing the runner) bit for bit (tests/thermal/test_recipe_cli.py).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import RecipeError, SimulationError

__all__ = ["THERMAL_FIELD", "ThermalSectionStep", "thermal_process_recipe", "run_section"]

THERMAL_FIELD = "thermal_column"


@dataclass(frozen=True, eq=False)
class ThermalSectionStep:
    """Step ``index`` of a ``thermal:`` section, as a process step of the flat wafer."""

    section: Any                  # ThermalSpec
    index: int
    plan: Any = None              # the section's MeshPlan (mesh check), shared by its steps

    @property
    def step(self):
        return self.section.steps[self.index]

    @property
    def spec(self):
        """The step's own keys (temperature/profile: the film-stress bookkeeping)."""
        return self.step

    @property
    def kind(self) -> str:
        return str(self.step.kind)

    @property
    def time(self) -> float:
        from ..thermal.run import temperature_program

        if self.kind == "implant":
            return 0.0
        return float(temperature_program(self.step)[0])

    def materials_after(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        return materials

    def describe(self) -> str:
        return f"thermal.steps[{self.index}] {self.kind}"

    def to_dict(self) -> dict[str, Any]:
        return {self.kind: self.step.model_dump(mode="json", exclude_none=True,
                                                exclude={"kind"})}

    def apply(self, wafer, ctx, *, start=None, on_step=None):
        from ..thermal.diffusion import TimeStepping
        from ..thermal.run import apply_step, initial_state

        fields = dict(wafer.fields)
        state = fields.get(THERMAL_FIELD)
        if state is None:
            state = initial_state(self.section)
        num = self.section.numerics
        numerics = TimeStepping(rtol=num.rtol, max_steps=num.max_steps)
        where = f"thermal.steps[{self.index}].{self.kind}"
        try:
            state = apply_step(state, self.step, self.section, numerics, plan=self.plan, log=ctx.log)
        except ValueError as exc:
            raise RecipeError(f"{where}: {exc}") from None
        except SimulationError as exc:
            raise SimulationError(f"{where}: {exc}") from None
        if on_step is not None and self.time > 0:
            on_step(self.time, self.time, wafer.geometry)
        kept = tuple(f for f in wafer.fields if f[0] != THERMAL_FIELD)
        return dataclasses.replace(wafer, fields=kept).evolve(
            dt=self.time, note=self.describe(), fields=((THERMAL_FIELD, state),))


def thermal_process_recipe(spec, *, name: str = "thermal", seed: int = 0):
    """The flat-wafer process recipe whose steps are ``spec``'s (a ``ThermalSpec``)."""
    from ..recipe import recipe_from_dict
    from ..thermal.run import mesh_plan

    base = recipe_from_dict({
        "name": name, "seed": int(seed),
        "grid": {"dimension": 2, "spacing": "10 nm", "extent": ["40 nm"]},
        "structure": {"substrate": {"material": "Si", "thickness": "100 nm"}},
        "steps": [], "output": {"vtk": False}})
    plan = mesh_plan(spec)
    steps = tuple(ThermalSectionStep(section=spec, index=i, plan=plan)
                  for i in range(len(spec.steps)))
    return dataclasses.replace(base, steps=steps, sections={"thermal": spec})


def run_section(spec, ctx=None):
    """Run a ``thermal:`` section through the process runner; the final ThermalState."""
    from ..context import RunContext
    from ..runner import execute_recipe
    from ..thermal.run import initial_state

    ctx = RunContext(seed=0) if ctx is None else ctx.with_(out_dir=None)
    recipe = thermal_process_recipe(spec, seed=int(ctx.seed))
    outcome = execute_recipe(recipe, ctx)
    state = dict(outcome.wafer.fields).get(THERMAL_FIELD)
    return initial_state(spec) if state is None else state
