// The 90-day history bars: one tab stop per bar (today), the arrow keys, Home and End move between days,
// and the focused day shows its detail (CSS). Without this script every day still shows it on hover and
// screen readers read each day's text.
document.addEventListener("keydown", (event) => {
  const day = event.target.closest && event.target.closest(".days .day");
  if (!day) return;
  const days = Array.from(day.parentElement.children);
  const index = days.indexOf(day);
  const moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: days.length - 1 };
  if (!(event.key in moves)) return;
  const next = days[Math.max(0, Math.min(days.length - 1, moves[event.key]))];
  event.preventDefault();
  day.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
});
