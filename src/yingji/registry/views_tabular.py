"""Enterprise import, export and template pages: declarations on top of core.views_tabular."""

from yingji.core.views_tabular import ObjectExportView, ObjectImportView, ObjectTemplateView
from yingji.registry import importing
from yingji.registry.filters import EnterpriseFilterSet
from yingji.registry.views import EnterpriseMixin


class EnterpriseImportView(EnterpriseMixin, ObjectImportView):
    importer = importing.import_enterprises
    columns = importing.ENTERPRISE_COLUMNS


class EnterpriseExportView(EnterpriseMixin, ObjectExportView):
    filterset_class = EnterpriseFilterSet
    exporter = importing.export_enterprises


class EnterpriseTemplateView(EnterpriseMixin, ObjectTemplateView):
    template_builder = importing.template
    template_filename = "企业信息导入模板.xlsx"
