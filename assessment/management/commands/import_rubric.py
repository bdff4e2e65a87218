"""`manage.py import_rubric PATH [--publish] [--replace-draft]`: validate a rubric file and store it."""
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.rubric_schema import RubricValidationError, format_points
from assessment.services.rubric import rubric_import, rubric_publish


class Command(BaseCommand):
    help = "导入考评细则YAML文件(校验后存为草稿,可选直接发布)"

    def add_arguments(self, parser):
        parser.add_argument("path", help="YAML文件路径")
        parser.add_argument("--publish", action="store_true", help="导入后立即发布")
        parser.add_argument("--replace-draft", action="store_true", help="替换同代码同版本的草稿")

    def handle(self, *args, path, publish, replace_draft, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件:{path}")
        try:
            rubric = rubric_import(actor=None, text=file.read_bytes(), replace_draft=replace_draft)
        except RubricValidationError as exc:
            self.stderr.write(self.style.ERROR(f"校验未通过,发现{len(exc.errors)}个问题:"))
            for number, message in enumerate(exc.errors, start=1):
                self.stderr.write(f"  {number}. {message}")
            raise CommandError("考评细则未导入") from None
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from None
        items = rubric.items.count()
        self.stdout.write(self.style.SUCCESS(
            f"校验通过:已导入“{rubric.title}”({rubric.code})第{rubric.version}版,"
            f"{rubric.blocks.count()}个类别、{items}个项目、总分{format_points(rubric.total_points)}分(草稿)"
        ))
        if publish:
            rubric_publish(actor=None, rubric=rubric)
            self.stdout.write(self.style.SUCCESS(f"已发布第{rubric.version}版"))
