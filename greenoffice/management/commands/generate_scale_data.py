"""`manage.py generate_scale_data --units N --years Y [--seed S] [--force]`: province-scale benchmark data.

See greenoffice/scale_data.py for what is written and why it bypasses the services. Meant for a
database of its own (e.g. greenoffice_scale); refuses to touch one that already holds units or
campaigns unless --force, which first empties the tables the generator fills."""
import datetime

from django.core.management.base import BaseCommand, CommandError

from greenoffice import scale_data


class Command(BaseCommand):
    help = "生成省级规模的性能测试数据(单位、年度、自评、抽查、整改、年终考核、命名);仅用于独立的测试数据库"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=10000, help="number of units (default 10000)")
        parser.add_argument("--years", type=int, default=3, help="campaign years ending with this year (default 3)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--as-of", help="the day the data stops at, YYYY-MM-DD (default: today)")
        parser.add_argument("--force", action="store_true",
                            help="empty the generated tables first (units, campaigns and everything under them)")

    def handle(self, *args, units, years, seed, as_of, force, **options):
        if units < 1 or years < 1:
            raise CommandError("--units and --years must be at least 1")
        as_of_day = datetime.date.fromisoformat(as_of) if as_of else None
        if scale_data.database_has_domain_data():
            if not force:
                raise CommandError(
                    "the database already holds units or campaigns: run on an empty database, or pass --force to "
                    "empty the generated tables (units, campaigns and everything under them) first")
            self.stdout.write("--force: emptying the generated tables")
            scale_data.wipe_generated()
        self.stdout.write(f"generating {units} units × {years} years (seed {seed})")
        generator = scale_data.ScaleDataGenerator(units=units, years=years, seed=seed, as_of=as_of_day,
                                                  log=self.stdout.write)
        summary = generator.run()
        for label, count in sorted(summary.items()):
            if label != "seconds":
                self.stdout.write(f"  {label:40s} {count:>10,}")
        self.stdout.write(f"done in {summary['seconds']} s; final scores {scale_data.score_stats()}")
        self.stdout.write(f"log-ins: {scale_data.USERNAME_PREFIX}admin, {scale_data.USERNAME_PREFIX}leader-city-1, "
                          f"{scale_data.USERNAME_PREFIX}inspector-city-1, {scale_data.USERNAME_PREFIX}director-S000001 "
                          f"… password {scale_data.SCALE_PASSWORD} (benchmark data only)")
