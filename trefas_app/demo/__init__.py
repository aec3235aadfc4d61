"""A deterministic demonstration store with invented data.

``build_demo(root)`` creates a new store and fills it with a small, realistic
and entirely made-up data set: units and users of the three agencies, about
fifty persons at risk (a few with protected identity), joint cases in every
state, consents of every kind, notes, SIG referrals, plans, exit programmes,
threat assessments, incidents with the post-shooting routine, meetings and
tasks. Every name, number, address and text is invented; the personal
identity numbers are well-formed (correct check digit) but random.

The same ``seed`` and the same ``clock`` give the same store. The history
(about 18 months before ``clock()``) is played in time order through the real
services, each step by the user whose work it is and only when the access rule
lets them, so the access log reads like a real one: nothing is inserted beside
the services. Every demo user has ``DEMO_PASSWORD`` (or the password given).

Random personal identity numbers can coincide with real ones: they are for
demonstration stores only, never to be mixed with real data.

The package: :mod:`.vocabulary` (invented names, streets and texts),
:mod:`.organisation` (units, users and their roles), :mod:`.timeline` (the
simulated clock, the stories of the persons and the steps that play them in
time order: person, case, team, consents, notes), :mod:`.casework` (the rest
of the case work on that timeline) and :mod:`.builder` (:func:`build_demo`).
"""

from trefas_app.demo.builder import build_demo
from trefas_app.demo.organisation import DEMO_PASSWORD, USERS, DemoUser
from trefas_app.demo.vocabulary import FIRST_NAMES, LAST_NAMES, STREETS, make_personal_number

__all__ = ["DEMO_PASSWORD", "FIRST_NAMES", "LAST_NAMES", "STREETS", "USERS", "DemoUser",
           "build_demo", "make_personal_number"]
