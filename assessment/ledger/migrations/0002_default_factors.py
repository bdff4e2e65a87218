"""The default conversion factors (GB/T 2589 reference values as the bureau publishes them).

valid_from is far in the past so every year of data has a factor; a newer factor is a new dated row."""
import datetime
from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("electricity", Decimal("0.1229"), None, "电力当量值 0.1229 kgce/kWh"),
    ("natural_gas", Decimal("1.2143"), None, "天然气 1.2143 kgce/m³"),
    ("gasoline", Decimal("1.4714"), Decimal("0.725"), "汽油 1.4714 kgce/kg,密度 0.725 kg/L"),
    ("diesel", Decimal("1.4571"), Decimal("0.83"), "柴油 1.4571 kgce/kg,密度 0.83 kg/L"),
    ("heat", Decimal("0.03412"), None, "热力 0.03412 kgce/MJ"),
]
VALID_FROM = datetime.date(2000, 1, 1)


def seed(apps, schema_editor):
    ConversionFactor = apps.get_model("ledger", "ConversionFactor")
    for kind, factor, density, note in DEFAULTS:
        ConversionFactor.objects.get_or_create(
            kind=kind, valid_from=VALID_FROM,
            defaults={"kgce_per_unit": factor, "density": density, "note": note},
        )


def unseed(apps, schema_editor):
    ConversionFactor = apps.get_model("ledger", "ConversionFactor")
    ConversionFactor.objects.filter(valid_from=VALID_FROM, kind__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
