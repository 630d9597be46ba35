"""ATOMIC scale: ion yields, surface site balances and ion-enhanced etch kinetics."""
from .coverage import relaxation_time, steady_coverages, transient_coverages
from .ion_enhanced import (IonBeam, SurfaceKinetics, SurfaceRates, coburn_winters_parameters,
                           flat_surface_rates, sputter_rate, surface_rates)
from .sf6o2 import SF6O2Parameters, sf6o2_flat_mask_rate, sf6o2_flat_rates
from .yields import (ANGULAR_FACTORS, IonYield, angular_factor, cos_power_average,
                     gaussian_iedf, iedf_average, steinbruchel_yield)

__all__ = [
    "relaxation_time", "steady_coverages", "transient_coverages",
    "IonBeam", "SurfaceKinetics", "SurfaceRates", "coburn_winters_parameters",
    "flat_surface_rates", "sputter_rate", "surface_rates",
    "SF6O2Parameters", "sf6o2_flat_mask_rate", "sf6o2_flat_rates",
    "ANGULAR_FACTORS", "IonYield", "angular_factor", "cos_power_average", "gaussian_iedf",
    "iedf_average", "steinbruchel_yield",
]
