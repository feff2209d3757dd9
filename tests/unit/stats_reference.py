#!/usr/bin/python3
# stats_reference.py - computes the reference values pasted into test_stats.c
#
# Run with Debian's /usr/bin/python3 (numpy 1.24.2, scipy 1.10.1):
#     /usr/bin/python3 tests/unit/stats_reference.py
# and paste its output over the constants of the same names in test_stats.c.
# Every sample is either written out here and in the test, or built by a
# formula both files spell the same way, so the C test never needs python.

import math
import textwrap

import numpy as np
import scipy
from scipy import stats


def c_array(name, values):
    body = ", ".join(repr(float(v)) for v in values)
    lines = textwrap.wrap(body, width=72, break_on_hyphens=False)
    inner = "".join(f"\t{line}\n" for line in lines)
    return f"static const double {name}[] = {{\n{inner}}};"


def c_double(name, value):
    return f"static const double {name} = {float(value)!r};"


def emit_summary(name, x):
    x = np.asarray(x, dtype=float)
    ddof_std = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    mad = stats.median_abs_deviation(x, scale="normal")
    p = np.percentile(x, [50, 90, 95, 99])
    fields = [x.size, x.min(), x.max(), x.mean(), ddof_std, np.median(x), mad,
              *p]
    print(c_array(f"{name}_expected", fields))


def emit_mwu(name, x, y):
    for alt in ("two-sided", "greater", "less"):
        res = stats.mannwhitneyu(x, y, alternative=alt, method="auto",
                                 use_continuity=True)
        tag = alt.replace("-", "_")
        print(c_double(f"{name}_p_{tag}", res.pvalue))
    print(c_double(f"{name}_u1", res.statistic))


def holm(p):
    """Holm step-down as statsmodels.multipletests(method='holm') does it."""
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    raw = p[order] * (m - np.arange(m))
    adjusted_sorted = np.minimum(np.maximum.accumulate(raw), 1.0)
    out = np.empty(m)
    out[order] = adjusted_sorted
    return out


def hodges_lehmann(base, head, alpha):
    base = np.asarray(base, dtype=float)
    head = np.asarray(head, dtype=float)
    d = np.sort((head[None, :] - base[:, None]).ravel())
    nb, nh, n = base.size, head.size, d.size
    z = stats.norm.ppf(1 - alpha / 2)
    k = math.floor(nb * nh / 2 - z * math.sqrt(nb * nh * (nb + nh + 1) / 12))
    k = min(max(k, 0), (n - 1) // 2)
    return np.median(d), d[k], d[n - k - 1]


def main():
    print(f"/* stats_reference.py: numpy {np.__version__}, "
          f"scipy {scipy.__version__} */")

    print("\n/* summaries: n, min, max, mean, stddev, median, mad, p50, p90, p95, p99 */")
    emit_summary("one_value", [42.0])
    emit_summary("two_values", [3.0, 1.0])
    emit_summary("odd_unsorted", [9.1, 2.5, 7.3, 4.4, 5.0, 1.2, 8.8])
    emit_summary("even_duplicates", [5, 3, 3, 8, 1, 3, 9, 10, 2, 5])
    rng = np.random.default_rng(20240601)
    timings = np.round(rng.lognormal(math.log(12.5), 0.2, size=25), 4)
    print(c_array("timings", timings))
    emit_summary("timings", timings)

    print("\n/* Mann-Whitney U */")
    emit_mwu("mwu_small", [19, 22, 16, 29, 24], [20, 11, 17, 12])
    # min(nx, ny) <= 8 while the other side is larger still counts as exact.
    x = np.round(rng.normal(10.0, 2.0, size=6), 4)
    y = np.round(rng.normal(11.5, 2.0, size=14), 4)
    assert np.unique(np.concatenate([x, y])).size == 20
    print(c_array("mwu_6v14_x", x))
    print(c_array("mwu_6v14_y", y))
    emit_mwu("mwu_6v14", x, y)
    # Both C and python build these: x_i = 20.25 + 36 i, y_j = j + 0.5.
    x = 20.25 + 36.0 * np.arange(8)
    y = np.arange(300) + 0.5
    emit_mwu("mwu_8v300", x, y)
    emit_mwu("mwu_ties", [1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5, 6, 7])
    x = np.round(rng.normal(100.0, 5.0, size=30), 1)
    y = np.round(rng.normal(103.0, 5.0, size=30), 1)
    print(c_array("mwu_30v30_x", x))
    print(c_array("mwu_30v30_y", y))
    emit_mwu("mwu_30v30", x, y)
    x = np.round(rng.normal(50.0, 3.0, size=50), 2)
    y = np.round(rng.normal(49.0, 3.0, size=40), 2)
    print(c_array("mwu_50v40_x", x))
    print(c_array("mwu_50v40_y", y))
    emit_mwu("mwu_50v40", x, y)
    emit_mwu("mwu_identical", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    emit_mwu("mwu_separated", [10, 11, 12, 13, 14], [1, 2, 3, 4, 5])
    emit_mwu("mwu_1v5", [3.5], [1, 2, 3, 4, 5])

    print("\n/* normal distribution */")
    z = [-3.0, -1.0, 0.0, 0.5, 1.959963984540054, 5.0, 10.0, 20.0]
    print(c_array("normal_sf_z", z))
    print(c_array("normal_sf_expected", stats.norm.sf(z)))
    q = [1e-300, 1e-10, 0.001, 0.025, 0.3, 0.5, 0.75, 0.975, 0.999999]
    print(c_array("normal_quantile_p", q))
    print(c_array("normal_quantile_expected", stats.norm.ppf(q)))

    print("\n/* Holm */")
    p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.04]
    print(c_array("holm_p", p))
    print(c_array("holm_expected", holm(p)))
    p = [0.3, 0.2, 0.9, 0.6]
    print(c_array("holm_capped_p", p))
    print(c_array("holm_capped_expected", holm(p)))

    print("\n/* Hodges-Lehmann */")
    base = np.round(rng.normal(20.0, 1.0, size=12), 2)
    head = np.round(rng.normal(21.0, 1.0, size=15), 2)
    print(c_array("hl_base", base))
    print(c_array("hl_head", head))
    est, lo, hi = hodges_lehmann(base, head, 0.05)
    print(c_array("hl_expected", [est, lo, hi]))
    est, lo, hi = hodges_lehmann(base[:4], head[:6], 0.10)
    print(c_array("hl_4v6_expected", [est, lo, hi]))
    est, lo, hi = hodges_lehmann([1.0, 2.0], [3.0, 5.0, 4.0], 0.05)
    print(c_array("hl_tiny_expected", [est, lo, hi]))

    print("\n/* Student t and Welch's test */")
    t = [-3.0, -0.5, 0.0, 0.7, 2.0, 6.5]
    dfs = [1.0, 2.5, 4.0, 9.0, 29.0, 120.0]
    print(c_array("t_sf_t", t))
    print(c_array("t_sf_df", dfs))
    print(c_array("t_sf_expected", [stats.t.sf(a, d) for a in t for d in dfs]))
    q = [0.9, 0.95, 0.975, 0.999]
    print(c_array("t_quantile_p", q))
    print(c_array("t_quantile_expected", [stats.t.ppf(a, d) for a in q for d in dfs]))
    # (n_x, mean_x, sd_x, n_y, mean_y, sd_y): head first, base second.
    cases = [(30, 11.0, 1.5, 30, 10.0, 1.2), (8, 115.0, 40.0, 8, 100.0, 35.0),
             (5, 26.0, 3.5, 12, 24.0, 1.0), (40, 9.7, 0.4, 6, 10.1, 0.9)]
    welch = []
    for nx, mx, sx, ny, my, sy in cases:
        for alt in ("greater", "less"):
            r = stats.ttest_ind_from_stats(mx, sx, nx, my, sy, ny, equal_var=False, alternative=alt)
            welch += [r.statistic, r.pvalue]
    print(c_array("welch_cases", [v for c in cases for v in c]))
    print(c_array("welch_expected", welch))
    # One run against five: the prediction-interval t test, (x - m) / (s sqrt(1 + 1/n)), df n - 1.
    five = [24.1, 22.3, 28.9, 31.0, 26.2]
    m, sd = np.mean(five), np.std(five, ddof=1)
    tt = (27.5 - m) / (sd * math.sqrt(1 + 1 / 5))
    print(c_array("welch_one_vs_five", five))
    print(c_array("welch_one_vs_five_expected", [tt, stats.t.sf(tt, 4)]))


if __name__ == "__main__":
    main()
