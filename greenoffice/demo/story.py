"""Where each demo unit stands in the 2026 campaign: the plan the progress steps of `seed_demo` follow.

Decided up front from the unit codes alone (a seeded shuffle), so every run makes the same plan and
the steps agree on who is where: ~70 of the 100 units have started their self-assessment, ~55 have
submitted, ~45 were accepted, ~30 had their year-end review finalised and 15 are certified. The demo
directors' own units are pinned to the states the demo route shows (see `DEMO_ROUTE` in seed_demo)."""
import random

NOT_STARTED = "not_started"
DRAFTING = "drafting"  # self-assessing, some items answered
SUBMITTED = "submitted"  # first round waiting for review
RETURNED = "returned"  # returned with comments, the unit is revising
RESUBMITTED = "resubmitted"  # returned once, resubmitted, waiting for review
ACCEPTED = "accepted"  # accepted, year-end review not started
REVIEW_DRAFT = "review_draft"  # year-end review under way
CERTIFIED = "certified"  # 优秀 / 合格 → publicity batch 1 → named
PUBLICITY = "publicity"  # 合格 → publicity batch 2, still open
PASSED = "passed"  # 合格, waiting for the next publicity batch
RECHECK_PASSED = "recheck_passed"  # 限期整改, re-checked and passed
RECTIFYING = "rectifying"  # 限期整改
OBJECTION = "objection"  # 限期整改 and an objection pending
FAILED = "failed"  # 不合格
MUST_PASS_FAILED = "must_pass_failed"  # item 2.1 (must-pass) verified 0: not certified whatever the score

SUBMITTED_STORIES = frozenset({SUBMITTED, RETURNED, RESUBMITTED})
ACCEPTED_STORIES = frozenset({ACCEPTED, REVIEW_DRAFT, CERTIFIED, PUBLICITY, PASSED, RECHECK_PASSED, RECTIFYING,
                              OBJECTION, FAILED, MUST_PASS_FAILED})
FINALISED_STORIES = ACCEPTED_STORIES - {ACCEPTED, REVIEW_DRAFT}
STARTED_STORIES = frozenset({DRAFTING}) | SUBMITTED_STORIES | ACCEPTED_STORIES

# The demo directors' units (DEMO_USERS) and the unit both demo inspectors belong to.
PINNED = {
    "示范市发展和改革委员会": CERTIFIED,  # director1: named, 优秀
    "示范市统计局": SUBMITTED,  # director1's second unit: waiting in the inspectors' queue
    "东城区教育局": ACCEPTED,  # director2: an unannounced visit left an order to sign for
    "西城区财政局": RETURNED,  # director3: returned with comments item by item
    "南湖县人民法院": DRAFTING,  # director4: a draft in progress
    "示范经济技术开发区管理委员会办公室": RECTIFYING,  # director5: 限期整改, objection window open
    "示范市机关事务管理局": ACCEPTED,  # both inspectors work here: nobody impartial reviews it but admin
}
# The units of an open rectification order a demo director answers, and of the latest review.
OPEN_ORDER_UNIT = "东城区教育局"
RECENT_REVIEW_UNIT = "示范经济技术开发区管理委员会办公室"

# How many of the other (unpinned) units each story gets, in the order they are handed out.
# Stories that need both demo inspectors (a second inspector rules an objection, re-checks) come
# first and take units of the districts both inspectors cover.
COUNTS = (
    (OBJECTION, 1), (RECHECK_PASSED, 1),
    (CERTIFIED, 14), (PUBLICITY, 3), (PASSED, 1), (RECTIFYING, 4), (FAILED, 3), (MUST_PASS_FAILED, 1),
    (REVIEW_DRAFT, 3), (ACCEPTED, 10), (SUBMITTED, 4), (RETURNED, 2), (RESUBMITTED, 2), (DRAFTING, 14),
)
NEEDS_TWO_INSPECTORS = frozenset({OBJECTION, RECHECK_PASSED})


def plan_stories(units: dict, *, two_inspector_districts: set[int], rng: random.Random) -> dict[str, str]:
    """unit code → story. `units` maps code → Unit; `two_inspector_districts` are the ids of the
    districts where both demo inspectors may act."""
    names = {unit.name: code for code, unit in units.items()}
    stories = {names[name]: story for name, story in PINNED.items() if name in names}
    rest = sorted(code for code in units if code not in stories)
    rng.shuffle(rest)
    for story, n in COUNTS:
        for _ in range(n):
            pool = rest
            if story in NEEDS_TWO_INSPECTORS:
                pool = [c for c in rest if units[c].district_id in two_inspector_districts] or rest
            if not pool:
                break
            code = pool[0]
            rest.remove(code)
            stories[code] = story
    for code in rest:
        stories[code] = NOT_STARTED
    return stories
