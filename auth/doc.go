// Package auth decides who may do what in daihou: users and their roles
// (角色), API tokens, named system actors, the data scope (数据权限) that
// limits which loans an actor sees, the one authorisation function Can that
// the CLI, the JSON API and the console all call, the maker-checker rule
// (四眼原则), and the secrets that prove who is asking — argon2id password
// hashes, API tokens hashed at rest — and a limiter that locks out guessing.
//
// The package is pure: it holds no users and reads no database. The store
// loads a user (name, roles, branches) and builds an Actor with NewUser or
// NewToken; every front end then asks Can(actor, action, resource) before it
// acts and records the Decision's reason when it denies. ScopeFor gives the
// same answer as data (branches, officer, assignee) for the store to turn
// into a WHERE clause, so a list of loans and a single loan are filtered by
// one rule.
//
// # Roles and actions
//
// The roles are those of the post-loan team (贷后): account manager
// (贷后专员/客户经理), collector (催收员), risk officer (风控), legal (法务),
// manager (管理层), auditor (审计), admin, and integration for API tokens.
// Three system roles belong to the system actors only — close of business
// (日终), an automated import and a webhook source — and cannot be given to
// a user or a token. The actions are a closed list; the one table in
// matrix.go says which roles may take each one, and anything not in it is
// denied. The local operator of a book that has no users yet (Local) may do
// everything: whoever can open the database file without users can already
// change anything in it, so refusing them would protect nothing; the front
// ends must stop offering Local once the first user exists.
//
// # Scope
//
// Each role an actor holds gives it a scope for the actions that role
// grants. Managers, risk officers and auditors see every loan; so, for the
// book-wide machinery it runs, does an admin, who is granted no action on a
// single loan. An account manager sees the loans whose officer they are, a
// collector and a lawyer the loans assigned to them; an admin may widen
// these to whole branches or to every loan. A token has the scope it was
// issued with. An action that covers the whole book (an import, close of
// business, a report) needs a granting role whose scope is every loan.
//
// Scope is per role: a user who is both manager and collector reads every
// loan as a manager but records contacts only on the loans assigned to
// them.
package auth
