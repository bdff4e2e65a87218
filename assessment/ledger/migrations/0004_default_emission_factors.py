"""The default CO₂ emission factors from assessment/ledger/data/emission_factors.yaml (sources and the
derivation of the fuel factors are in the file). Rows already present are left as they are, so a later
migration may load the file again to add newly published years."""
from django.db import migrations

from assessment.ledger.carbon import load_default_factors


def seed(apps, schema_editor):
    EmissionFactor = apps.get_model("ledger", "EmissionFactor")
    for row in load_default_factors():
        EmissionFactor.objects.get_or_create(
            kind=row["kind"], grid=row["grid"], year=row["year"],
            defaults={"kgco2_per_unit": row["kgco2_per_unit"], "source": row["source"][:300],
                      "verified": row["verified"]},
        )


def unseed(apps, schema_editor):
    EmissionFactor = apps.get_model("ledger", "EmissionFactor")
    for row in load_default_factors():
        EmissionFactor.objects.filter(kind=row["kind"], grid=row["grid"], year=row["year"]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_emission_factors")]
    operations = [migrations.RunPython(seed, unseed)]
