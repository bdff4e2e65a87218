"""`manage.py bench [--requests 200] [--json FILE] [--reports 5] [--page KEY ...] [--sessions-out FILE]`

Times the key pages through the whole Django stack as the role that uses each (greenoffice/bench.py)
and the unit PDF report; prints p50 / p95 / max and queries per page. Figures only: nothing is
asserted (machines are shared and noisy). Run it with DJANGO_DEBUG=0 (DEBUG keeps every query in
memory and slows each one down). `--sessions-out` writes logged-in sessions for scripts/load_test.sh."""
import logging

from django.core.management.base import BaseCommand, CommandError

from greenoffice import bench


class Command(BaseCommand):
    help = "性能基准:关键页面的服务端耗时(p50/p95/最大)和查询数,以及单位考评报告的生成时间"

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
        parser.add_argument("--json", dest="json_path", help="write the figures to this JSON file")
        parser.add_argument("--reports", type=int, default=5, help="unit report renders for the median (0: skip)")
        parser.add_argument("--page", action="append", choices=[key for key, *_rest in bench.PAGES],
                            help="only this page (repeatable)")
        parser.add_argument("--sessions-out", help="only write logged-in sessions for the load test to this file")
        parser.add_argument("--per-role", type=int, default=10, help="sessions per role for --sessions-out")

    def handle(self, *args, requests, json_path, reports, page, sessions_out, per_role, **options):
        # Every forced log-in would otherwise print django-axes' and the security log's INFO lines.
        logging.disable(logging.INFO)
        try:
            if sessions_out:
                data = bench.mint_sessions(per_role=per_role)
                bench.write_json(data, sessions_out)
                counts = {role: len(rows) for role, rows in data["roles"].items()}
                self.stdout.write(f"sessions written to {sessions_out}: {counts}")
                return
            if requests < 1:
                raise CommandError("--requests must be at least 1")
            data = bench.run_bench(requests=requests, report_repeat=reports, only=page, log=self.stdout.write)
        except bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        if json_path:
            bench.write_json(data, json_path)
            self.stdout.write(f"figures written to {json_path}")
