"""Private files (visit photos, rectification proof) go out only through the access gates, as
attachments with nosniff; <img> thumbnails still load because browsers ignore Content-Disposition there."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from inspections.selectors.rectification import proof_file_get_for_user
from inspections.selectors.visits import photo_get_for_user


def _serve(row):
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo_file(request, pk):
    return _serve(photo_get_for_user(user=request.user, pk=pk))


@login_required
def proof_file(request, pk):
    return _serve(proof_file_get_for_user(user=request.user, pk=pk))
