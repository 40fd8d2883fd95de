"""REST API for bulk imports: upload a file, then follow its progress."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from practice import imports, selectors
from practice.api_base import ReadOnlyRecordViewSet
from practice.models import BulkImport, RecordType


class BulkImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The line of the file the row starts on.")
    external_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="`{field: [messages]}`, as the same PUT would answer.",
    )
    existing_id = serializers.UUIDField(
        required=False, help_text="For a conflict: the record already holding the value."
    )


class BulkImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="Rows refused, each listed in `errors`.")
    skipped = serializers.IntegerField(
        help_text="Rows accepted but not written because another row of their chunk was refused."
    )


class BulkImportSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(
        source="record_type",
        choices=RecordType.choices,
        allow_blank=True,
        help_text="The type of every row; blank: each row names its own `type`.",
    )
    counts = BulkImportCountsSerializer()
    errors = BulkImportRowErrorSerializer(
        many=True, help_text=f"The first {imports.MAX_REPORTED_ERRORS} refused rows."
    )

    class Meta:
        model = BulkImport
        fields = [
            "id",
            "status",
            "type",
            "format",
            "dry_run",
            "rows_total",
            "rows_done",
            "counts",
            "errors",
            "detail",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
        ]


class BulkImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "CSV with a header row, or JSON lines (one object per line), UTF-8. Each row holds "
            "the fields of the JSON resource and its `external_id`."
        )
    )
    type = serializers.ChoiceField(
        choices=RecordType.choices,
        required=False,
        help_text="The type of every row; leave out when each row names its own `type`.",
    )
    format = serializers.ChoiceField(
        choices=BulkImport.Format.choices,
        required=False,
        help_text="Read from the file's name (.csv, .jsonl) or its first character when left out.",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every row as the import would, and write nothing."
    )


class BulkImportViewSet(ReadOnlyRecordViewSet):
    """Bulk imports of clinicians, clients and sessions, newest first.

    A file is put row by row, by external id, by a worker in chunks of 500 rows; each chunk is
    all or nothing (see `errors` and `counts.skipped`). An import that records a session as
    completed plans no survey. `import.completed` is sent when it has finished.
    """

    model = BulkImport
    serializer_class = BulkImportSerializer
    parser_classes = [MultiPartParser]
    http_method_names = ["get", "post", "head", "options"]

    def select_records(self):
        return selectors.bulk_import_list()

    @extend_schema(request=BulkImportUploadSerializer, responses={202: BulkImportSerializer})
    def create(self, request):
        upload = BulkImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        bulk_import = imports.bulk_import_create(
            content=file.read(),
            file_name=file.name or "",
            file_format=upload.validated_data.get("format"),
            record_type=upload.validated_data.get("type", ""),
            dry_run=upload.validated_data["dry_run"],
        )
        return Response(BulkImportSerializer(bulk_import).data, status=status.HTTP_202_ACCEPTED)
