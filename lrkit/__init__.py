"""lrkit: the small package behind the Learning-Rate Book.

Modules, each with one job:

- ``lrkit.schedules``   learning-rate schedules as pure functions of the 0-based step
- ``lrkit.bridge``      drive a ``torch.optim.Optimizer`` from a schedule; sample torch schedulers
- ``lrkit.optimizers``  SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW, Lion, Muon in numpy
- ``lrkit.noise_scale`` the gradient noise scale (exact, and McCandlish's two-batch estimator)
- ``lrkit.problems``    quadratics, Rosenbrock, linear regression, a noisy quadratic
- ``lrkit.data``        the handwritten digits (bundled with scikit-learn) and small models
- ``lrkit.training``    one correct PyTorch training loop and a numpy gradient-descent runner
- ``lrkit.side_by_side`` many seeds and schedules of the digits MLP trained as one batched network
- ``lrkit.finder``      the learning-rate range test and its suggestion rules
- ``lrkit.plotting``    figures: the book's style, schedules, histories, range tests, paths
- ``lrkit.stats``       seed-to-seed spread, and a verdict: separated beyond it or not
- ``lrkit.sharpness``   Hessian-vector products, the top Hessian eigenvalue, full-batch GD
- ``lrkit.sequence``    a synthetic sequence task and a small RNN, for gradient clipping
- ``lrkit.expect``      show an expected error's one-line message and check it was raised
- ``lrkit.paths``       the optimizer playground's reference: stability limits, seeded noise, paths
- ``lrkit.quiz``        the interview quiz bank, one import away (and ``python -m lrkit.quiz``)
- ``lrkit.quizbank``    the bank as data: load, validate, select, grade answers
- ``lrkit.quizrender``  self-checks and model answers for pages, Anki decks
- ``lrkit.quizterm``    the terminal self-quiz and its review file
- ``lrkit.book``        the book's pages: the table of contents and which pages are notebooks

Importing ``lrkit`` imports none of them (no torch start-up cost, no global state):
``from lrkit import schedules``.
"""

__version__ = "0.1.0"
