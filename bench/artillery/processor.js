// Processor of refresh.yml (bench/vs-artillery.sh). Runs in Artillery's
// worker threads; RS_START_MS (epoch ms) and RS_SECS come from the script.
'use strict';

const startMs = Number(process.env.RS_START_MS);
const endMs = startMs + Number(process.env.RS_SECS) * 1000;

// value of the __Host-refresh cookie in a Set-Cookie list or Cookie header
function refreshToken(text) {
  const i = text.indexOf('__Host-refresh=');
  if (i < 0) return '';
  const v = text.slice(i + 15);
  const j = v.indexOf(';');
  return j < 0 ? v : v.slice(0, j);
}

// Keeps the first token of the chain, so the first refresh is checked too.
function signedIn(req, res, context, events, done) {
  events.emit('counter', 'rs.signin.' + res.statusCode, 1);
  context.vars.rsLast = refreshToken([].concat(res.headers['set-cookie'] || []).join('\n'));
  return done();
}

// Sleeps until the common start, so every VU is signed in before the window
// opens and no sign-in falls inside it.
function waitStart(context, events, done) {
  const wait = startMs - Date.now();
  if (wait <= 0) events.emit('counter', 'rs.late_start', 1);
  setTimeout(done, Math.max(wait, 0));
}

// Loop condition: inside the window and the chain still alive.
function inWindow(context, next) {
  return next(!context.vars.rsBroken && Date.now() < endMs);
}

// Counts every refresh answer by status and checks the chain: the request
// carried the token the previous answer set (the jar followed the rotation)
// and a 200 set a new one. A non-200 ends this VU's loop (its family is
// dead under strict reuse detection, so more requests would only be 401s).
function checkRefresh(req, res, context, events, done) {
  events.emit('counter', 'rs.refresh.' + res.statusCode, 1);
  const sentHeader = res.req && res.req.getHeader ? String(res.req.getHeader('cookie') || '') : '';
  const sent = refreshToken(sentHeader);
  const prev = context.vars.rsLast;
  if (prev !== undefined) {
    events.emit('counter', sent === prev ? 'rs.chain.sent_latest' : 'rs.chain.sent_other', 1);
  }
  if (res.statusCode === 200) {
    const got = refreshToken([].concat(res.headers['set-cookie'] || []).join('\n'));
    if (!got || got === sent) events.emit('counter', 'rs.chain.not_rotated', 1);
    context.vars.rsLast = got;
  } else {
    context.vars.rsBroken = true;
    events.emit('counter', 'rs.chain.broken', 1);
  }
  return done();
}

module.exports = { signedIn, waitStart, inWindow, checkRefresh };
