from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalselfassessment",
            name="revision",
            field=models.PositiveIntegerField(default=0, verbose_name="修订号"),
        ),
        migrations.AddField(
            model_name="selfassessment",
            name="revision",
            field=models.PositiveIntegerField(default=0, verbose_name="修订号"),
        ),
    ]
