"""`yingji load_checklists`: load the checklist templates shipped in inspections/data/ (and the 判定标准
articles they cite that the hazards app does not ship). Idempotent: a code that exists is left alone."""

from django.core.management.base import BaseCommand

from yingji.inspections import services_checklists


class Command(BaseCommand):
    help = "Load the shipped checklist templates (危化, 粉尘涉爆, 有限空间, 工贸通用, 小场所消防)."

    def handle(self, *args, **options):
        created = services_checklists.load_shipped_templates()
        self.stdout.write(f"{created} checklist templates loaded.")
