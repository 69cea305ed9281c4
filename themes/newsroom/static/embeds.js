// Click-to-load video: the page shows a poster and a link to the video on
// its host; no request reaches the host until the reader clicks, and then
// the player replaces the poster. Without scripts the link still works.
for (const frame of document.querySelectorAll("[data-embed-src]")) {
  const play = frame.querySelector(".video-play");
  if (!play) continue;
  play.addEventListener("click", (event) => {
    event.preventDefault();
    const iframe = document.createElement("iframe");
    iframe.src = frame.dataset.embedSrc;
    iframe.title = frame.dataset.embedTitle;
    iframe.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
    iframe.allowFullscreen = true;
    frame.replaceChildren(iframe);
    iframe.focus();
  });
}
