"""`manage.py export_rubric CODE VERSION [--out FILE]`: write a stored version as a rubric file."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.models import RubricVersion
from assessment.selectors.rubric import rubric_export_yaml, rubric_get_by_code


class Command(BaseCommand):
    help = "导出考评细则版本为YAML文件"

    def add_arguments(self, parser):
        parser.add_argument("code", help="细则代码,如 GREEN-OFFICE")
        parser.add_argument("version", type=int, help="版本号")
        parser.add_argument("--out", help="输出文件(默认输出到屏幕)")

    def handle(self, *args, code, version, out, **options):
        try:
            rubric = rubric_get_by_code(code=code, version=version)
        except RubricVersion.DoesNotExist:
            raise CommandError(f"没有考评细则{code}第{version}版") from None
        text = rubric_export_yaml(rubric)
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stderr.write(self.style.SUCCESS(f"已导出到{out}"))
        else:
            self.stdout.write(text, ending="")
