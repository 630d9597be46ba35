"""The IEDF table of an ion Species is memoised on the IEDF's numbers
(``sources._energy_table``): the same table as ``ions.energy_inverse_cdf``, a private
copy per Species, and bad input still rejected."""
from __future__ import annotations

import numpy as np
import pytest

from waferlab.atomic.yields import IonYield
from waferlab.feature.flux.ions import energy_inverse_cdf
from waferlab.feature.flux.sources import Species, _energy_table


def _ion(iedf):
    y = IonYield(A=1.0, threshold_eV=10.0)
    return Species(name="ion", sticking=1.0, source_exponent=100.0,
                   yield_channels={"sp": {"Si": y}}, iedf=iedf)


def test_memoised_table_equals_the_direct_one_and_is_a_copy():
    iedf = ([50.0, 100.0, 150.0], [0.0, 1.0, 0.0])
    direct = energy_inverse_cdf(*iedf)
    a = _ion(iedf).energy_params(["Si"])[0]
    assert np.array_equal(a, direct)
    a[:] = -1.0                                     # a caller spoiling its own copy ...
    b = _ion((np.array(iedf[0]), np.array(iedf[1]))).energy_params(["Si"])[0]
    assert np.array_equal(b, direct)                # ... does not reach the next Species
    assert b.flags.writeable                        # the kernels' (writable) array type
    other = _energy_table(([50.0, 100.0, 160.0], [0.0, 1.0, 0.0]))
    assert not np.array_equal(other, direct)        # keyed on the numbers


def test_bad_iedf_still_rejected():
    with pytest.raises(ValueError, match="increase"):
        _ion(([100.0, 50.0], [1.0, 1.0]))
    with pytest.raises(ValueError, match="same non-zero length"):
        _ion(([], []))
