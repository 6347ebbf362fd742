"""Stylesheet and the few lines of browser script the UI needs.

The scripts run through ``gr.HTML(js_on_load=...)``: each listens for clicks on its own
component (event delegation, so re-rendered markup needs no re-binding) and either moves focus
on the page (marker -> card) or raises a named event that a Python callback handles ("show
article", "delete"). They read only ``data-*`` attributes the server wrote, escaped, and never
insert markup themselves. The stylesheet is injected through the ``head`` argument of one
component, so ``build_app(...)`` is styled however it is launched.

Typeface: Gradio's default theme declares "Source Sans Pro" at weights 400 and 600, and the
600 file it ships (``static/fonts/SourceSansPro/SourceSansPro-SemiBold.woff2``, 5 KB) is a subset
holding a handful of glyphs, a few capitals among them. Bold text therefore mixed two typefaces:
those capitals ("A" of "Azerbaijan", "B" of "Baku") came from the subset and every other letter
from the next family in the stack (DejaVu Sans Bold on Debian). :data:`FONT_CSS` declares a
family of our own from the two complete files Gradio serves, Regular (400) and Bold (700), and
makes it the page's font; 500-900 all resolve to the real Bold, never to a synthetic one or to
the subset. The monospace font had the same flaw (a 4 KB IBM Plex Mono SemiBold) and gets the
same cure. The files come from the app's own server: nothing is downloaded.
"""

from __future__ import annotations

#: Conversation: a click on marker [n] of turn t shows that turn's sources and brings card n
#: into view, with a brief outline so the eye finds it.
CONVERSATION_JS = """
element.addEventListener('click', (event) => {
  const marker = event.target.closest('button.cite');
  if (!marker) return;
  const turn = marker.dataset.turn;
  document.querySelectorAll('.source-group').forEach((group) => {
    group.classList.toggle('active', group.dataset.turn === turn);
  });
  const card = document.getElementById('src-' + turn + '-' + marker.dataset.n);
  if (!card) return;
  card.scrollIntoView({behavior: 'smooth', block: 'start'});
  card.classList.remove('flash');
  void card.offsetWidth;
  card.classList.add('flash');
});
"""

#: Sources column and library table: "Show article" and the two-step "Delete".
ARTICLE_BUTTONS_JS = """
element.addEventListener('click', (event) => {
  const show = event.target.closest('button.show-article');
  if (show) {
    trigger('show_article', {
      article_id: show.dataset.article,
      start: Number(show.dataset.start ?? -1),
      end: Number(show.dataset.end ?? -1),
      marks: show.dataset.marks || ''
    });
    return;
  }
  const del = event.target.closest('button.delete-article');
  if (!del) return;
  if (del.dataset.armed === '1') {
    del.disabled = true;
    del.textContent = 'Deleting…';
    trigger('delete_article', {article_id: del.dataset.article});
    return;
  }
  del.dataset.armed = '1';
  del.textContent = 'Confirm delete';
  del.classList.add('armed');
  setTimeout(() => {
    if (del.isConnected && !del.disabled) {
      delete del.dataset.armed;
      del.textContent = 'Delete';
      del.classList.remove('armed');
    }
  }, 4000);
});
"""

#: Example questions: a click puts the question in the box and asks it.
EXAMPLES_JS = """
element.addEventListener('click', (event) => {
  const example = event.target.closest('button.example');
  if (example) trigger('ask_example', {question: example.dataset.question});
});
"""

#: Article overlay: close on the button, a click outside the panel or Escape; when an article
#: opens, scroll its highlighted passage into view.
ARTICLE_VIEW_JS = """
const close = () => { props.value = ''; };
element.addEventListener('click', (event) => {
  const target = event.target;
  if (target.closest('button.close-article') || target.classList.contains('article-overlay')) {
    close();
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && element.querySelector('.article-overlay')) close();
});
watch('value', () => {
  const mark = element.querySelector('mark.passage') || element.querySelector('mark');
  if (mark) mark.scrollIntoView({block: 'center'});
  const button = element.querySelector('button.close-article');
  if (button) button.focus({preventScroll: true});
});
"""

#: The page's one typeface (see the module docstring). ``html:root`` outranks the theme's
#: ``:root`` rules whatever order the stylesheets load in; ``.dark`` repeats the theme's dark rule.
FONT_CSS = """
@font-face { font-family: 'newsqa Sans'; font-style: normal; font-weight: 400; font-display: block;
  src: url('static/fonts/SourceSansPro/SourceSansPro-Regular.woff2') format('woff2'); }
@font-face { font-family: 'newsqa Sans'; font-style: normal; font-weight: 700; font-display: block;
  src: url('static/fonts/SourceSansPro/SourceSansPro-Bold.woff2') format('woff2'); }
@font-face { font-family: 'newsqa Mono'; font-style: normal; font-weight: 400; font-display: block;
  src: url('static/fonts/IBMPlexMono/IBMPlexMono-Regular.woff2') format('woff2'); }
@font-face { font-family: 'newsqa Mono'; font-style: normal; font-weight: 700; font-display: block;
  src: url('static/fonts/IBMPlexMono/IBMPlexMono-Bold.woff2') format('woff2'); }
html:root, html:root.dark, html:root .dark {
  --font: 'newsqa Sans', ui-sans-serif, system-ui, sans-serif;
  --font-mono: 'newsqa Mono', ui-monospace, Consolas, monospace; }
"""

CSS = """
.question-notice { margin: .6rem 0 0; padding: .45rem .8rem; border-left: 3px solid #d04040;
  background: #fdecea; color: #7a1c10; border-radius: 4px; }
.newsqa-header h1 { margin: 0; font-size: 1.5rem; }
.newsqa-header p { margin: .1rem 0 0; color: var(--body-text-color-subdued); }
.status-bar { display: flex; flex-wrap: wrap; gap: .4rem 1.5rem; font-size: .9rem;
  color: var(--body-text-color-subdued); }
.llm-banner { background: #fff4e0; border: 1px solid #e0a030; color: #5c3b00; padding: .6rem .9rem;
  border-radius: 8px; }
.conversation { display: flex; flex-direction: column; gap: 1.1rem; }
.conversation.empty .welcome { color: var(--body-text-color-subdued); }
.turn { display: flex; flex-direction: column; gap: .45rem; }
.bubble { border-radius: 10px; padding: .65rem .9rem; line-height: 1.55; }
.bubble.question { background: var(--color-accent-soft); align-self: flex-end; max-width: 85%; }
.bubble .who { font-weight: 700; font-size: .72rem; text-transform: uppercase;
  letter-spacing: .04em; margin-right: .55rem; color: var(--body-text-color-subdued); }
.bubble.answer { border: 1px solid var(--border-color-primary);
  background: var(--block-background-fill); }
.bubble.answer.abstained { border-style: dashed; }
.bubble.notice { border-color: #d04040; }
.abstain-head { font-weight: 700; margin: 0 0 .3rem; }
.short-answer { font-size: 1.15rem; line-height: 1.35; margin: 0 0 .4rem; }
.short-answer-label { font-size: .72rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .04em; margin-right: .4rem; color: var(--body-text-color-subdued); }
.short-answer-text { font-weight: 700; }
.answer-text { white-space: pre-wrap; }
.answer-meta { font-size: .8rem; color: var(--body-text-color-subdued); margin: .45rem 0 0; }
.fallback-note, .unsupported-note { font-size: .82rem; margin: .35rem 0 0; color: #8a4b00; }
.streaming .answer-text::after { content: "▍"; animation: blink 1s steps(2) infinite; }
.pending { margin: 0; color: var(--body-text-color-subdued); }
.pending::after { content: " …"; animation: blink 1s steps(2) infinite; }
@keyframes blink { 50% { opacity: 0; } }
button.cite, .cite-sample { border: 0; border-radius: 4px; padding: 0 .2em; margin: 0 .05em;
  background: var(--color-accent-soft); color: var(--color-accent); font: inherit; font-size: .85em;
  font-weight: 700; cursor: pointer; }
button.cite:hover, button.cite:focus-visible { outline: 2px solid var(--color-accent); }
.timeline { list-style: none; margin: .6rem 0 0 .35rem; padding: 0 0 0 1.1rem;
  border-left: 2px solid var(--border-color-primary); }
.timeline-event { position: relative; margin: 0 0 .75rem; }
.timeline-event::before { content: ""; position: absolute; left: calc(-1.41rem - 1px); top: .38rem;
  width: .62rem; height: .62rem; border-radius: 50%; background: var(--color-accent); }
.timeline-event[data-date-source="published"]::before { background: var(--block-background-fill);
  border: 2px solid var(--color-accent); width: .42rem; height: .42rem;
  left: calc(-1.31rem - 3px); }
.timeline-date { font-weight: 700; font-size: .85rem; margin-right: .5rem; }
.timeline-note { font-size: .72rem; color: var(--body-text-color-subdued); }
.timeline-heading { font-weight: 600; }
.unsupported { text-decoration: underline wavy #c0392b; text-underline-offset: 3px; }
.unsupported-label { font-size: .68rem; font-weight: 700; color: #a52714; background: #fdecea;
  border-radius: 3px; padding: 0 .3em; margin-left: .3em; text-transform: uppercase; }
#sources-col { position: sticky; top: .5rem; align-self: flex-start; max-height: calc(100vh - 1rem);
  overflow-y: auto; }
.source-group { display: none; }
.source-group.active { display: block; }
.group-head { font-weight: 700; margin: 0 0 .5rem; }
.sources-note { color: var(--body-text-color-subdued); font-size: .9rem; }
.card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6rem .8rem;
  margin-bottom: .7rem; background: var(--block-background-fill); scroll-margin: 1rem; }
.card.nearest { opacity: .85; }
.card.flash { animation: flash 1.8s ease-out; }
@keyframes flash { 0% { box-shadow: 0 0 0 3px var(--color-accent); }
  100% { box-shadow: 0 0 0 0 transparent; } }
.card-head { font-weight: 600; line-height: 1.35; }
.card-num { color: var(--color-accent); margin-right: .35rem; }
.card-meta { font-size: .8rem; color: var(--body-text-color-subdued); margin: .15rem 0 .3rem; }
.also-in { font-size: .8rem; color: var(--body-text-color-subdued); margin: 0 0 .35rem; }
blockquote.passage { white-space: pre-wrap; font-size: .88rem; line-height: 1.5; margin: .35rem 0;
  padding-left: .6rem; border-left: 3px solid var(--border-color-primary); }
mark { color: #111; border-radius: 2px; }
mark.support { background: #ffe680; }
mark.passage { background: #dde9ff; }
mark.passage.support { background: #ffd84d; }
button.show-article, button.delete-article { font-size: .8rem;
  border: 1px solid var(--border-color-primary);
  border-radius: 6px; padding: .1rem .55rem; background: var(--button-secondary-background-fill);
  cursor: pointer; margin-right: .3rem; }
button.delete-article.armed { background: #c0392b; color: #fff; border-color: #c0392b; }
.article-overlay { position: fixed; inset: 0; z-index: 1000; background: rgba(0, 0, 0, .45);
  display: flex; justify-content: center; align-items: flex-start; padding: 4vh 1rem; }
.article-panel { background: var(--background-fill-primary); width: 100%; max-width: 52rem;
  max-height: 92vh; overflow-y: auto; border-radius: 10px; padding: 1.2rem 1.5rem; }
.article-title { margin: .2rem 0; font-size: 1.3rem; }
.close-article { float: right; border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: .15rem .6rem; background: var(--button-secondary-background-fill); cursor: pointer; }
.article-text { white-space: pre-wrap; line-height: 1.6; }
.examples { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.examples-label { font-size: .85rem; color: var(--body-text-color-subdued); }
button.example { font-size: .85rem; text-align: left; border: 1px solid var(--border-color-primary);
  border-radius: 16px; padding: .25rem .75rem; background: var(--block-background-fill);
  cursor: pointer; }
button.example:hover { border-color: var(--color-accent); }
details.reported-by { margin: .2rem 0 .35rem; font-size: .82rem; }
details.reported-by summary { cursor: pointer; }
.reported-badge { display: inline-block; border-radius: 10px; padding: 0 .5em; font-weight: 700;
  font-size: .75rem; background: var(--background-fill-secondary);
  color: var(--body-text-color-subdued); }
details.reported-by.many .reported-badge { background: #e3f4e1; color: #1d5c1a; }
.reported-statement { color: var(--body-text-color-subdued); margin-left: .3rem; }
details.reported-by ul { margin: .3rem 0 0; padding-left: 1.1rem; }
li.report .card-meta { display: inline; margin-left: .3rem; }
q.report-sentence { display: block; color: var(--body-text-color-subdued); }
.conflict-callout { margin: .5rem 0 0; padding: .45rem .8rem; border-left: 3px solid #c77700;
  background: #fff6e5; color: #4a3000; border-radius: 4px; font-size: .9rem; }
.conflict-callout .conflict-head { font-weight: 700; margin: 0; }
.conflict-callout .conflict-thing { margin: .1rem 0 .2rem; font-style: italic; }
.conflict-callout ul { margin: 0; padding-left: 1.1rem; }
.conflict-where { color: #6b4f1d; }
.filter-summary { font-size: .85rem; color: var(--body-text-color-subdued); }
.library-caption { color: var(--body-text-color-subdued); margin: .2rem 0 .4rem; }
.library-table { width: 100%; border-collapse: collapse; font-size: .9rem; }
.library-table th, .library-table td { text-align: left; padding: .35rem .5rem;
  border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
.library-table .col-chunks { text-align: right; }
.library-table .col-actions { white-space: nowrap; }
.stats .stat { margin-right: 1.2rem; }
.stats .outlets, .stats .stats-model { font-size: .85rem; color: var(--body-text-color-subdued); }
.upload-results { list-style: none; padding: 0; margin: .4rem 0; }
.upload-results li.failed { color: #a52714; }
.upload-results .mark { font-weight: 700; }
"""

STYLE_HEAD = f"<style>{FONT_CSS}{CSS}</style>"
