"""Bar charts drawn by the server as inline SVG: no script, no CDN, no build step, and nothing the
Content-Security-Policy refuses (geometry is SVG attributes, colours are CSS classes). Every chart sits beside
the table holding the same numbers.

The markup is written here in one pass (`Chart.figure`) rather than by a template loop: a 90-day volume chart
is 90 bars of six values each, and the template engine spent more time resolving and localizing them than the
rest of the page."""

from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

HEIGHT = 120
BAR = 12
GAP = 4


@dataclass
class Bar:
    x: int
    y: float
    width: int
    height: float
    label: str
    value: float
    css: str = ""


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    maximum: float

    def figure(self, *, id: str, caption: str, unit: str = "") -> SafeString:
        """The chart as a <figure>: the SVG, a <title> per bar (label: value) and a caption naming the scale.
        Labels, caption and unit are escaped; every other value is a number."""
        unit = escape(unit)
        bars = "".join(
            f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
            f'class="dash-bar {escape(bar.css)}"><title>{escape(bar.label)}: {bar.value}{unit}</title></rect>'
            for bar in self.bars
        )
        scale = f" (scale 0 to {floatformat(self.maximum, '-1')}{unit})" if self.maximum else ""
        return mark_safe(  # noqa: S308 (every text above is escaped)
            '\n<figure class="dash-chart">\n'
            f'  <svg viewBox="0 0 {self.width} {self.height}" preserveAspectRatio="none" class="dash-svg" '
            f'role="img" aria-labelledby="{escape(id)}-cap" focusable="false">\n'
            f'    <line x1="0" y1="{self.height}" x2="{self.width}" y2="{self.height}" '
            'class="dash-axis"></line>\n'
            f"    {bars}\n"
            "  </svg>\n"
            f'  <figcaption id="{escape(id)}-cap" class="small muted">{escape(caption)}{scale}</figcaption>\n'
            "</figure>\n"
        )


def bar_chart(
    points: list[tuple[str, float | None]], *, maximum: float | None = None, css: str = ""
) -> Chart:
    """One bar per (label, value); a value of None draws nothing. The scale runs from 0 to `maximum` (by
    default the largest value)."""
    top = maximum if maximum is not None else max([v for _, v in points if v is not None] or [0])
    bars = []
    for i, (label, value) in enumerate(points):
        if value is None:
            continue
        height = 0 if not top else HEIGHT * value / top
        bars.append(
            Bar(
                x=i * (BAR + GAP),
                y=round(HEIGHT - height, 1),
                width=BAR,
                height=round(height, 1),
                label=label,
                value=value,
                css=css,
            )
        )
    return Chart(width=max(1, len(points) * (BAR + GAP)), height=HEIGHT, bars=bars, maximum=top)
