// Click-to-load video: the page shows a poster and a link to the video on
// its host; no request reaches the host until the reader clicks, and then
// the player replaces the poster. Without scripts the link still works.
// One listener on the document rather than one on each button: it keeps
// working for a facade put into the page later (serve's in-place updates).
document.addEventListener("click", (event) => {
  const play = event.target.closest?.(".video-play");
  const frame = play?.closest("[data-embed-src]");
  if (!frame) return;
  event.preventDefault();
  const iframe = document.createElement("iframe");
  iframe.src = frame.dataset.embedSrc;
  iframe.title = frame.dataset.embedTitle;
  iframe.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
  iframe.allowFullscreen = true;
  frame.replaceChildren(iframe);
  iframe.focus();
});
