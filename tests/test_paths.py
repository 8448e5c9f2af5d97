"""lrkit.paths: the stability limits against simulation with lrkit.optimizers, mulberry32
against the original JavaScript (run by node), the noise's statistics, the noise floor against
a Monte Carlo run, and run() against hand-written loops."""

import shutil
import subprocess

import numpy as np
import pytest

from lrkit import optimizers, paths, problems

# The generator as published (Tommy Ettinger's mulberry32), unmodified.
MULBERRY32_JS = """
function mulberry32(a) {
  return function() {
    let t = a += 0x6D2B79F5;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  }
}
const r = mulberry32(SEED);
console.log(JSON.stringify(Array.from({length: NUM}, r)));
"""


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1])
def test_mulberry32_equals_the_javascript_original(seed):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = MULBERRY32_JS.replace("SEED", str(seed)).replace("NUM", "500")
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    expected = np.array(eval(out.stdout))  # a JSON list of numbers is a Python literal
    np.testing.assert_array_equal(paths.mulberry32(seed=seed, num=500), expected)


def test_normals_are_standard_normal():
    z = paths.standard_normals(seed=3, num=40_000)
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.var() - 1) < 4 * np.sqrt(2 / z.size)
    # tail mass beyond 1.96: 5% for N(0, 1)
    assert abs(np.mean(np.abs(z) > 1.96) - 0.05) < 4 * np.sqrt(0.05 * 0.95 / z.size)


def _diverges(optimizer, lr, curvature=4.0, num_steps=4_000):
    """Run ``optimizer`` on 0.5 * h * x^2 and say whether |x| grew."""
    x = np.array([1.0])
    state = optimizer.init(x)
    for _ in range(num_steps):
        x, state = optimizer.update(x, curvature * x, state, lr)
    return abs(x[0]) > 1.0


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_limits_separate_convergence_from_divergence(beta):
    limits = paths.stability_limits(smoothness=4.0, beta=beta)
    cases = [("gd", optimizers.sgd())]
    if beta > 0:
        cases += [("heavy_ball", optimizers.momentum(beta=beta))]
        cases += [("nesterov", optimizers.nesterov(beta=beta))]
    for name, opt in cases:
        assert not _diverges(opt, lr=0.99 * limits[name]), name
        assert _diverges(opt, lr=1.01 * limits[name]), name


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="smoothness"):
        paths.stability_limits(smoothness=0.0, beta=0.9)
    with pytest.raises(ValueError, match="beta"):
        paths.stability_limits(smoothness=1.0, beta=1.0)
    with pytest.raises(ValueError, match="seed"):
        paths.mulberry32(seed=-1, num=3)
    with pytest.raises(ValueError, match="problem"):
        paths.run(problem="himmelblau")
    with pytest.raises(ValueError, match="optimizer"):
        paths.run(optimizer="lion")
    with pytest.raises(ValueError, match="lr"):
        paths.run(lr=-0.1)
    with pytest.raises(ValueError, match="num_steps"):
        paths.run(num_steps=0)
    with pytest.raises(ValueError, match="noise_std"):
        paths.run(noise_std=float("nan"))
    with pytest.raises(ValueError, match="problem"):
        paths.noise_floor(problems.rosenbrock(), lr=0.01, noise_std=1.0)


def test_noise_floor_matches_a_monte_carlo_run():
    bowl = paths.make_problem("quadratic", condition_number=10.0, angle_deg=30.0)
    lr, noise_std, num_chains = 0.05, 1.0, 4_000
    rng = np.random.default_rng(0)
    x = np.zeros((num_chains, 2))
    for _ in range(400):  # 1 - lr * 1 = 0.95: 400 steps forget the start
        x = x - lr * (bowl.grad(x) + noise_std * rng.standard_normal(x.shape))
    floor = paths.noise_floor(bowl, lr=lr, noise_std=noise_std)
    assert abs(bowl.loss(x).mean() / floor - 1) < 0.05


def test_run_equals_a_hand_written_loop_with_noise_and_step_decay():
    bowl = problems.quadratic(curvatures=(1.0, 5.0), angle=20.0 * np.pi / 180)
    z = paths.standard_normals(seed=7, num=2 * 30).reshape(30, 2)
    x, v = np.array([1.0, -0.5]), None
    for step in range(30):
        lr = 0.1 * 0.5 ** (step // 10)
        g = bowl.hessian @ x + 0.3 * z[step]
        v = g if v is None else 0.8 * v + g
        x = x - lr * v
    path = paths.run(
        condition_number=5.0,
        angle_deg=20.0,
        optimizer="momentum",
        lr=0.1,
        beta=0.8,
        x0=(1.0, -0.5),
        num_steps=30,
        noise_std=0.3,
        seed=7,
        schedule="step",
        step_size=10,
        gamma=0.5,
    )
    np.testing.assert_allclose(path.xs[-1], x, rtol=1e-12)
    assert path.lrs[9] == 0.1 and path.lrs[10] == 0.05


def test_run_past_the_limit_diverges_and_stops():
    path = paths.run(condition_number=10.0, lr=0.21, num_steps=1_000)  # 2/L = 0.2
    assert path.diverged and path.losses[-1] > 1e12 and len(path.losses) < 1_000
    assert not paths.run(condition_number=10.0, lr=0.19, num_steps=1_000).diverged


def test_cosine_reaches_zero_at_the_last_step():
    path = paths.run(lr=0.1, num_steps=10, schedule="cosine")
    assert path.lrs[0] == 0.1 and 0 < path.lrs[-1] < 0.003  # 0.1 * (1 + cos(0.9 pi)) / 2
