"""Acceptance sampling: ISO 2859-1 plans, exact binomial plans, verdicts and OC curves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from workbench.exceptions import ValidationError
from workbench.sampling import (AQLS, INSPECTION_LEVELS, AcceptancePlan, AcceptanceVerdict, acceptance_plan,
                                acceptance_verdict, operating_characteristic)
from workbench.sampling import _acceptance


# -- Table 1: sample size code letters -------------------------------------------------

# The lot size ranges of ISO 2859-1 Table 1 and their letter at general inspection level II,
# checked at both ends of every range.
LEVEL_II = [
    (2, 8, "A"), (9, 15, "B"), (16, 25, "C"), (26, 50, "D"), (51, 90, "E"), (91, 150, "F"),
    (151, 280, "G"), (281, 500, "H"), (501, 1200, "J"), (1201, 3200, "K"), (3201, 10000, "L"),
    (10001, 35000, "M"), (35001, 150000, "N"), (150001, 500000, "P"), (500001, 10**9, "Q"),
]


@pytest.mark.parametrize("low, high, letter", LEVEL_II)
def test_level_ii_code_letter_at_both_ends_of_each_lot_range(low, high, letter):
    assert acceptance_plan(low, aql=1.0).code_letter == letter
    assert acceptance_plan(high, aql=1.0).code_letter == letter


@pytest.mark.parametrize("lot, level, letter", [
    (8, "I", "A"), (50, "I", "C"), (90, "I", "C"), (1000, "I", "G"), (5000, "I", "J"), (600000, "I", "N"),
    (8, "III", "B"), (50, "III", "E"), (1000, "III", "K"), (5000, "III", "M"), (600000, "III", "R"),
    (1000, "S-1", "C"), (1000, "S-2", "C"), (1000, "S-3", "E"), (1000, "S-4", "F"),
    (600000, "S-1", "D"), (600000, "S-2", "E"), (600000, "S-3", "H"), (600000, "S-4", "K"),
    (40, "S-4", "C"), (40, "S-3", "B"), (40, "S-2", "B"), (40, "S-1", "A"),
])
def test_other_inspection_levels_give_the_letters_of_table_1(lot, level, letter):
    assert acceptance_plan(lot, aql=1.0, inspection_level=level).code_letter == letter


# -- Table 2-A: published plans ---------------------------------------------------------

# (lot size, AQL, code letter, n, Ac, Re) at level II, normal inspection, as printed in
# ISO 2859-1 Table 2-A / ANSI/ASQ Z1.4 Table II-A (cells that hold a plan, no arrow).
PUBLISHED = [
    (1000, 1.0, "J", 80, 2, 3),
    (1000, 2.5, "J", 80, 5, 6),
    (1000, 4.0, "J", 80, 7, 8),
    (1000, 0.65, "J", 80, 1, 2),
    (1000, 0.15, "J", 80, 0, 1),
    (500, 2.5, "H", 50, 3, 4),
    (500, 1.0, "H", 50, 1, 2),
    (500, 4.0, "H", 50, 5, 6),
    (5000, 0.65, "L", 200, 3, 4),
    (5000, 1.0, "L", 200, 5, 6),
    (5000, 2.5, "L", 200, 10, 11),
    (100, 4.0, "F", 20, 2, 3),
    (100, 6.5, "F", 20, 3, 4),
    (100, 0.65, "F", 20, 0, 1),
    (50000, 1.5, "N", 500, 14, 15),
    (50000, 0.65, "N", 500, 7, 8),
    (50000, 2.5, "N", 500, 21, 22),
    (200, 1.5, "G", 32, 1, 2),
    (200, 6.5, "G", 32, 5, 6),
    (2000, 0.40, "K", 125, 1, 2),
    (2000, 0.10, "K", 125, 0, 1),
    (2000, 10, "K", 125, 21, 22),
    (20000, 0.25, "M", 315, 2, 3),
    (20000, 1.0, "M", 315, 7, 8),
    (200000, 0.15, "P", 800, 3, 4),
    (1000000, 0.065, "Q", 1250, 2, 3),
    (1000000, 0.010, "Q", 1250, 0, 1),
    (60, 10, "E", 13, 3, 4),
    (60, 1.0, "E", 13, 0, 1),
    (20, 25, "C", 5, 3, 4),
    (5, 1000, "A", 2, 30, 31),
    (12, 1000, "B", 3, 44, 45),
]


@pytest.mark.parametrize("lot, aql, letter, n, ac, re", PUBLISHED)
def test_published_plans_of_table_2a(lot, aql, letter, n, ac, re):
    plan = acceptance_plan(lot, aql=aql, inspection_level="II")
    assert (plan.code_letter, plan.plan_letter) == (letter, letter)
    assert (plan.sample_size, plan.accept, plan.reject) == (min(n, lot), ac, re)
    assert plan.method == "iso2859" and plan.inspection_level == "II" and plan.lot_size == lot
    assert "arrow" not in plan.note


@pytest.mark.parametrize("lot, level, aql, letter, n, ac, re", [
    (1000, "III", 1.0, "K", 125, 3, 4),
    (1000, "III", 2.5, "K", 125, 7, 8),
    (5000, "I", 1.5, "J", 80, 3, 4),
    (600000, "III", 0.65, "R", 2000, 21, 22),
    (600000, "III", 0.025, "R", 2000, 1, 2),
])
def test_published_plans_at_levels_i_and_iii(lot, level, aql, letter, n, ac, re):
    plan = acceptance_plan(lot, aql=aql, inspection_level=level)
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == (letter, n, ac, re)


# (lot, level, AQL) -> code letter from Table 1, the letter the arrow leads to, n, Ac, Re.
ARROWS = [
    (50, "II", 0.65, "D", "F", 20, 0, 1),       # down past E to F's 0/1
    (100, "II", 1.0, "F", "E", 13, 0, 1),       # up, just right of the 0/1 diagonal
    (1000, "II", 0.25, "J", "H", 50, 0, 1),     # up
    (1000, "II", 0.40, "J", "K", 125, 1, 2),    # down to the 1/2 diagonal
    (20000, "II", 10, "M", "K", 125, 21, 22),   # up past L to the last plan of the column
    (100, "II", 100, "F", "E", 13, 21, 22),     # up: rows F and below stop at 21/22
    (1000, "I", 1.0, "G", "H", 50, 1, 2),       # down
    (600000, "III", 0.010, "R", "Q", 1250, 0, 1),
    (600000, "III", 0.015, "R", "P", 800, 0, 1),  # up past Q to P
]


@pytest.mark.parametrize("lot, level, aql, letter, to, n, ac, re", ARROWS)
def test_arrows_lead_to_the_first_plan_below_or_above_with_its_sample_size(lot, level, aql, letter, to, n,
                                                                           ac, re):
    plan = acceptance_plan(lot, aql=aql, inspection_level=level)
    assert (plan.code_letter, plan.plan_letter) == (letter, to)
    assert (plan.sample_size, plan.accept, plan.reject) == (n, ac, re)
    assert "arrow" in plan.note and f"code letter {to}" in plan.note
    assert "new code letter" in plan.note


def test_the_up_arrow_at_code_a_aql_10_has_nothing_above_so_the_plan_below_is_used():
    plan = acceptance_plan(8, aql=10)
    assert (plan.code_letter, plan.plan_letter, plan.accept, plan.reject) == ("A", "C", 1, 2)
    assert plan.sample_size == 5
    assert "no plan above" in plan.note


def test_a_sample_at_least_the_lot_size_means_100_percent_inspection():
    plan = acceptance_plan(10, aql=0.10)  # code B, arrow down to K: n = 125 > 10
    assert plan.plan_letter == "K" and (plan.accept, plan.reject) == (0, 1)
    assert plan.sample_size == 10 and plan.full_inspection
    assert "100% inspection" in plan.note
    small = acceptance_plan(20, aql=1.0)  # code C, arrow down to E (n=13): not 100 %
    assert small.sample_size == 13 and not small.full_inspection


def test_every_cell_of_table_2a_follows_the_diagonals_of_the_standard():
    """The transcription check: plans are constant along diagonals (n and AQL grow by the same
    ratio), with 0/1, then an up and a down arrow, then 1/2 ... 21/22 (30/31 and 44/45 only for
    codes A to E); down arrows before, up arrows after. The two corner cells of code R are up
    arrows (nothing lies below R)."""
    series = [(1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31), (44, 45)]
    letters = "ABCDEFGHJKLMNPQR"
    assert list(_acceptance._PLANS) == list(letters) and len(AQLS) == 26
    assert [_acceptance._SAMPLE_SIZES[x] for x in letters] == [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200,
                                                               315, 500, 800, 1250, 2000]
    for r, letter in enumerate(letters):
        for c in range(26):
            d = r + c - 14  # 0 on the diagonal of 0/1 (A at 6.5 ... Q at 0.010)
            last = 9 if r <= 4 else 7  # index in series of the last plan: 44/45 for A-E, else 21/22
            if d < 0 or d == 2:
                want = "↓"
            elif d == 0:
                want = (0, 1)
            elif d == 1 or d - 3 > last:
                want = "↑"
            else:
                want = series[d - 3]
            if letter == "R" and c == 1:
                want = "↑"
            assert _acceptance._PLANS[letter][c] == want, (letter, AQLS[c])


@pytest.mark.parametrize("level", INSPECTION_LEVELS)
def test_every_lot_and_aql_resolves_to_a_plan_with_re_one_above_ac(level):
    for lot in [2, 9, 16, 26, 51, 91, 151, 281, 501, 1201, 3201, 10001, 35001, 150001, 500001]:
        for aql in AQLS:
            plan = acceptance_plan(lot, aql=aql, inspection_level=level)
            assert plan.reject == plan.accept + 1
            assert 1 <= plan.sample_size <= lot
            assert plan.sample_size == min(lot, _acceptance._SAMPLE_SIZES[plan.plan_letter])


def test_aql_is_matched_to_the_table_column_despite_float_noise():
    assert acceptance_plan(1000, aql=0.1 + 0.2 - 0.2).accept == acceptance_plan(1000, aql=0.10).accept
    assert acceptance_plan(1000, aql=np.float64(1.0)).sample_size == 80
    assert acceptance_plan(np.int64(1000), aql=1).code_letter == "J"


def test_nonconformity_aqls_say_so_in_the_note():
    assert "nonconformities per 100 units" in acceptance_plan(20, aql=25).note
    assert "nonconformities" not in acceptance_plan(20, aql=10).note


def test_plans_are_frozen_and_the_face_owns_the_classes():
    plan = acceptance_plan(1000, aql=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.accept = 5
    assert AcceptancePlan.__module__ == "workbench.sampling"
    assert AcceptanceVerdict.__module__ == "workbench.sampling"


# -- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("lot", [1, 0, -5, 2.5, 1000.0, True, "1000", None])
def test_bad_lot_sizes_are_refused_with_the_rule(lot):
    with pytest.raises(ValidationError, match=r"'lot_size' parameter of acceptance_plan must be an int >= 2"):
        acceptance_plan(lot, aql=1.0)


def test_an_aql_outside_the_table_lists_the_valid_ones_and_the_nearest_stricter():
    with pytest.raises(ValidationError, match=r"0\.010, 0\.015, 0\.025.*650, 1000\. Got 0\.5 instead\. "
                                              r"The nearest stricter one is 0\.40\..*method='binomial'"):
        acceptance_plan(1000, aql=0.5)
    for bad in (0, -1, 2000, "1.0", None, True):
        with pytest.raises(ValidationError, match="must be one of the AQLs"):
            acceptance_plan(1000, aql=bad)


def test_unknown_level_or_method_lists_the_valid_names():
    with pytest.raises(ValidationError, match=r"'inspection_level'.*'I', 'II', 'III', 'S-1'.*Got 'IV'"):
        acceptance_plan(1000, aql=1.0, inspection_level="IV")
    with pytest.raises(ValidationError, match=r"'method'.*\{'binomial', 'iso2859'\}\. Got 'bayes'"):
        acceptance_plan(1000, aql=1.0, method="bayes")


def test_parameters_of_the_other_method_are_refused():
    with pytest.raises(ValidationError, match=r"\['lq', 'beta'\].*only to method='binomial'"):
        acceptance_plan(1000, aql=1.0, lq=5.0, beta=0.2)
    with pytest.raises(ValidationError, match="needs the limiting quality 'lq'"):
        acceptance_plan(1000, aql=1.0, method="binomial")
    with pytest.raises(ValidationError, match="'inspection_level' parameter .* only to method='iso2859'"):
        acceptance_plan(1000, aql=1.0, lq=5.0, method="binomial", inspection_level="III")
    with pytest.raises(ValidationError, match=r"'lq' parameter .* must be above the AQL \(2%\)"):
        acceptance_plan(1000, aql=2.0, lq=2.0, method="binomial")
    with pytest.raises(ValidationError, match="'lq' parameter .* percentage strictly between 0 and 100"):
        acceptance_plan(1000, aql=2.0, lq=100, method="binomial")
    for risk in ("alpha", "beta"):
        with pytest.raises(ValidationError, match=f"'{risk}' parameter .* strictly between 0 and 1"):
            acceptance_plan(1000, aql=1.0, lq=5.0, method="binomial", **{risk: 1.5})


# -- exact binomial plans ---------------------------------------------------------------

@pytest.mark.parametrize("aql, lq, alpha, beta", [
    (1.0, 5.0, 0.05, 0.10),
    (0.5, 2.5, 0.05, 0.10),
    (2.5, 10.0, 0.10, 0.05),
    (0.1, 1.0, 0.05, 0.10),
    (4.0, 8.0, 0.05, 0.10),
])
def test_binomial_plan_meets_both_risks_and_no_smaller_sample_does(aql, lq, alpha, beta):
    plan = acceptance_plan(10**7, aql=aql, lq=lq, alpha=alpha, beta=beta, method="binomial")
    n, c = plan.sample_size, plan.accept
    p1, p2 = aql / 100, lq / 100
    assert plan.distribution == "binomial" and plan.reject == c + 1 and plan.code_letter is None
    assert stats.binom.cdf(c, n, p1) >= 1 - alpha
    assert stats.binom.cdf(c, n, p2) <= beta
    assert plan.p_accept_aql == pytest.approx(stats.binom.cdf(c, n, p1))
    assert plan.p_accept_lq == pytest.approx(stats.binom.cdf(c, n, p2))
    # Brute force: for every smaller n, no acceptance number meets both risks.
    ns = np.arange(1, n)[:, None]
    cs = np.arange(0, c + 40)[None, :]
    both = (stats.binom.cdf(cs, ns, p1) >= 1 - alpha) & (stats.binom.cdf(cs, ns, p2) <= beta)
    assert not both.any()


def test_binomial_plan_for_aql_1_lq_5_is_the_textbook_n_132_c_3():
    plan = acceptance_plan(100_000, aql=1.0, lq=5.0, method="binomial")
    assert (plan.sample_size, plan.accept, plan.reject) == (132, 3, 4)
    assert "binomial distribution" in plan.note and "bisection" in plan.note


def test_small_lot_uses_the_hypergeometric_distribution_and_meets_the_risks():
    lot = 200
    plan = acceptance_plan(lot, aql=1.0, lq=5.0, method="binomial")
    assert plan.distribution == "hypergeometric" and "hypergeometric" in plan.note
    n, c = plan.sample_size, plan.accept
    d1, d2 = 2, 10  # floor(1 % of 200), ceil(5 % of 200)
    assert stats.hypergeom.cdf(c, lot, d1, n) >= 0.95
    assert stats.hypergeom.cdf(c, lot, d2, n) <= 0.10
    for m in range(1, n):
        for k in range(0, d2):
            assert not (stats.hypergeom.cdf(k, lot, d1, m) >= 0.95 and stats.hypergeom.cdf(k, lot, d2, m) <= 0.10)


def test_a_tiny_lot_can_need_every_item():
    plan = acceptance_plan(5, aql=10.0, lq=20.0, beta=0.01, method="binomial")  # 0 vs 1 bad item
    assert plan.distribution == "hypergeometric"
    assert plan.sample_size == 5 and plan.full_inspection and "100% inspection" in plan.note


def test_aql_and_lq_too_close_is_a_clear_error():
    with pytest.raises(ValidationError, match="too close to tell apart"):
        acceptance_plan(10**9, aql=1.0, lq=1.01, method="binomial")


# -- verdicts ---------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0, 1, 2, 3, 7, 80])
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_verdict_interval_is_clopper_pearson_as_statsmodels_and_scipy_compute_it(k, confidence):
    plan = acceptance_plan(1000, aql=1.0)
    v = acceptance_verdict(plan, 80, k, confidence=confidence)
    low, high = proportion_confint(k, 80, alpha=1 - confidence, method="beta")
    ci = stats.binomtest(k, 80).proportion_ci(confidence_level=confidence, method="exact")
    assert v.ci_low == pytest.approx(low, abs=1e-10) == pytest.approx(ci.low, abs=1e-10)
    assert v.ci_high == pytest.approx(high, abs=1e-10) == pytest.approx(ci.high, abs=1e-10)
    assert v.error_rate == k / 80 and v.confidence == confidence
    assert v.accepted is (k <= 2) and v.guarantee_holds


def test_verdict_accepts_at_ac_and_rejects_at_re_with_the_numbers_in_the_message():
    plan = acceptance_plan(1000, aql=1.0)  # n=80, Ac 2, Re 3
    ok = acceptance_verdict(plan, 80, 2)
    assert ok.accepted and ok.plan is plan and (ok.n_inspected, ok.n_defective) == (80, 2)
    assert ok.message.startswith("Accept the batch: 2 defective in 80 inspected")
    assert "Ac 2" in ok.message and "n=80" in ok.message and "2.5%" in ok.message
    bad = acceptance_verdict(plan, 80, 3)
    assert not bad.accepted
    assert bad.message.startswith("Reject the batch: 3 defective in 80 inspected reaches the rejection number Re 3")
    assert "95% interval for the batch 0.78% to 11%" in bad.message


def test_another_sample_size_is_refused_unless_allowed_and_then_the_guarantee_is_void():
    plan = acceptance_plan(1000, aql=1.0)
    with pytest.raises(ValidationError, match=r"inspect 80 items.*n_inspected=100.*allow_other_sample=True"):
        acceptance_verdict(plan, 100, 1)
    v = acceptance_verdict(plan, 100, 1, allow_other_sample=True)
    assert v.accepted and not v.guarantee_holds
    assert "guarantee" in v.message and "does not hold" in v.message
    low, high = proportion_confint(1, 100, alpha=0.05, method="beta")
    assert (v.ci_low, v.ci_high) == pytest.approx((low, high))


def test_when_every_item_is_inspected_the_batch_rate_is_known():
    plan = acceptance_plan(10, aql=0.10)
    v = acceptance_verdict(plan, 10, 1)
    assert not v.accepted and v.error_rate == 0.1 and v.ci_low == v.ci_high == 0.1
    assert "Every item was inspected" in v.message


def test_nonconformities_above_aql_10_may_exceed_the_items_and_get_a_poisson_interval():
    plan = acceptance_plan(20, aql=25)  # code C, n=5, Ac 3, Re 4, nonconformities per 100 units
    v = acceptance_verdict(plan, 5, 7)
    assert not v.accepted and v.error_rate == 7 / 5
    low, high = confint_poisson(7, 5, method="exact-c", alpha=0.05)
    assert (v.ci_low, v.ci_high) == pytest.approx((low, high))
    assert "7 nonconformities in 5 inspected" in v.message and "Poisson" in v.message


def test_verdict_errors_name_the_rule():
    plan = acceptance_plan(1000, aql=1.0)
    with pytest.raises(ValidationError, match="must be at most n_inspected"):
        acceptance_verdict(plan, 80, 81)
    with pytest.raises(ValidationError, match="'n_defective' parameter .* int >= 0"):
        acceptance_verdict(plan, 80, -1)
    with pytest.raises(ValidationError, match="'n_inspected' parameter .* int >= 1"):
        acceptance_verdict(plan, 0, 0)
    with pytest.raises(ValidationError, match="at most the lot size 1000"):
        acceptance_verdict(plan, 1001, 0, allow_other_sample=True)
    for conf in (0, 1, 95, "0.95", True):
        with pytest.raises(ValidationError, match="'confidence' parameter .* strictly between 0 and 1"):
            acceptance_verdict(plan, 80, 0, confidence=conf)
    with pytest.raises(ValidationError, match="must be an AcceptancePlan"):
        acceptance_verdict({"sample_size": 80}, 80, 0)


# -- operating characteristic -----------------------------------------------------------

def test_oc_curve_is_the_binomial_probability_of_acceptance():
    plan = acceptance_plan(1000, aql=1.0)
    p = np.linspace(0, 0.2, 41)
    oc = operating_characteristic(plan, p)
    assert list(oc.columns) == ["p", "p_accept"] and len(oc) == 41
    np.testing.assert_allclose(oc["p_accept"], stats.binom.cdf(2, 80, p))
    assert oc["p_accept"].iloc[0] == 1.0 and oc["p_accept"].is_monotonic_decreasing


def test_oc_of_the_binomial_plan_shows_its_risks():
    plan = acceptance_plan(10**6, aql=1.0, lq=5.0, method="binomial")
    oc = operating_characteristic(plan, [0.01, 0.05]).set_index("p")["p_accept"]
    assert oc[0.01] >= 0.95 and oc[0.05] <= 0.10


def test_oc_for_nonconformities_uses_poisson_and_allows_rates_above_one():
    plan = acceptance_plan(12, aql=1000)  # code B, n=3, Ac 44
    oc = operating_characteristic(plan, [5.0, 10.0, 20.0])
    np.testing.assert_allclose(oc["p_accept"], stats.poisson.cdf(44, 3 * np.array([5.0, 10.0, 20.0])))


def test_oc_refuses_rates_outside_0_1():
    plan = acceptance_plan(1000, aql=1.0)
    with pytest.raises(ValidationError, match=r"fractions in \[0, 1\].*\[1\.5\].*divide percentages by 100"):
        operating_characteristic(plan, [0.01, 1.5])
    with pytest.raises(ValidationError, match="must be numbers in"):
        operating_characteristic(plan, ["a"])
    with pytest.raises(ValidationError, match="must be an AcceptancePlan"):
        operating_characteristic(None, [0.01])
