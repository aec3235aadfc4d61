"""A handover's PDF with many notes against raw reportlab of the same text,
interleaved in one run (issue 12: ≤ 1.5×).

* project: ``documents.render.render_pdf`` of a handover document with
  ``--notes`` note blocks (unsigned draft: the signature is not layout);
* baseline: reportlab's ``SimpleDocTemplate`` with the same title, meta line
  and body paragraphs in the same fonts, nothing else.

``--no-accel`` hides reportlab's C accelerator (``_rl_accel``, PyPI
``rl_accel``) from this process, to measure what it brings:

    .venv/bin/python benchmarks/bench_documents.py [--notes 2000] [--runs 3]
    .venv/bin/python benchmarks/bench_documents.py --no-accel
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import time
from pathlib import Path

if "--no-accel" in sys.argv:
    sys.modules["_rl_accel"] = None  # reportlab then falls back to its Python code

sys.path.insert(0, str(Path(__file__).parent))
from bulk import NOTE_TITLES, note_body  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from trefas_app.documents import model as dm  # noqa: E402
from trefas_app.documents import render  # noqa: E402


def notes(n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(12)
    titles = [t for group in NOTE_TITLES.values() for t in group]
    return [(rng.choice(titles), f"2026-11-{1 + i % 28:02d} · Handläggare {i % 15} · Social",
             note_body(rng, 450)) for i in range(n)]


def project_doc(items) -> dm.Document:
    header = dm.DocumentHeader(
        doc_number="D-2026-00001", kind="handover", title="Överlämning", author_name="Anna A",
        author_agency="Socialtjänsten", recipient="Polismyndigheten, LPO Rinkeby",
        created_at=dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.timezone.utc),
        secrecy_line="Sekretess enligt OSL 26 kap. 1 §", case_number="K-2026-00001")
    return dm.Document(header=header,
                       blocks=tuple(dm.NoteBlock(t, meta, body) for t, meta, body in items))


def raw_pdf(items) -> bytes:
    fonts = render.register_fonts()
    title = ParagraphStyle("t", fontName=fonts.bold, fontSize=10.5)
    meta = ParagraphStyle("m", fontName=fonts.regular, fontSize=8.5)
    body = ParagraphStyle("b", fontName=fonts.regular, fontSize=10, leading=13.5)
    flow = []
    for t, m, b in items:
        flow += [Paragraph(t, title), Paragraph(m, meta), Paragraph(b, body)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(flow)
    return out.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notes", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-accel", action="store_true")
    args = ap.parse_args(argv)
    items = notes(args.notes)
    doc = project_doc(items)
    a, b = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        render.render_pdf(doc, None)
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw_pdf(items)
        b.append(time.perf_counter() - t)
    pa, pb = statistics.median(a), statistics.median(b)
    import reportlab.lib.rl_accel as accel
    c_funcs = sorted(getattr(accel, "_c_funcs", {}))
    print(f"handover, {args.notes} notes: project {pa:.2f} s  raw reportlab {pb:.2f} s  "
          f"ratio {pa / pb:.2f}  (C accelerator: {'yes' if c_funcs else 'no'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
