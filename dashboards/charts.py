"""Bar charts drawn by the server as inline SVG: no script, no CDN, no build step, and nothing the
Content-Security-Policy refuses (geometry is SVG attributes, colours are CSS classes). Every chart sits beside
the table holding the same numbers."""

from dataclasses import dataclass

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
