"""Uploads held in memory only, up to a limit: nothing uploaded is ever written to disk."""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps each uploaded file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE. Past that, what
    was kept is dropped and the rest is read and thrown away, so the file arrives empty with
    its real size, for the form to refuse with a message (common/csvutil.py's CsvUploadForm).

    Django's own handlers would write a file over the limit to a temporary file; the only
    handler in FILE_UPLOAD_HANDLERS, this one never does."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.kept = BytesIO()
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            if not self.too_large:
                self.too_large = True
                self.kept = BytesIO()
        else:
            self.kept.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.kept.seek(0)
        return InMemoryUploadedFile(
            file=self.kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
