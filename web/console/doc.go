// Package console is daihou's web console (控制台): server-rendered
// html/template pages for the people who work the book all day —
// 管理看板 the overview, 资产质量 asset quality, 贷款视图 the loan 360°
// view, 工作台 work queues, 审批 approvals and the rule, strategy and SOP
// editors — in Chinese (zh-CN, the default) and English.
//
// One handler file per screen or action; the routes are in web/routes.go.
// Every page is a Page value: its template, its data, the tables it
// shows (each exportable to xlsx and CSV, masked as shown) and its
// charts, whose ECharts options travel as JSON in a
// <script type="application/json"> block that the embedded app.js draws
// (no inline script: the CSP forbids it). ECharts itself is vendored from
// its npm package under static/vendor/echarts with its licence, and every
// asset is served from the binary under a fingerprinted name.
//
// A user logs in with their password (argon2id, package auth) and gets a
// session cookie (HttpOnly, SameSite=Lax, Secure behind TLS) whose id is
// new at every login; a session ends after an idle time and at an absolute
// time. Every form carries the session's CSRF token; the login form a
// double-submit token of its own. What a user may see and do is decided by
// auth.Can and the store, exactly as for the API.
package console
