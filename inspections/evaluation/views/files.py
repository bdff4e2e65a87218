"""Activity photos are private like every upload: served only through the access gate, as
attachments with nosniff (an <img> still shows them)."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from inspections.evaluation.selectors.activities import participation_photo_get_for_user


@login_required
def participation_photo(request, pk):
    photo = participation_photo_get_for_user(user=request.user, pk=pk)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=photo.original_name,
                            content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
