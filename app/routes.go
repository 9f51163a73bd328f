package app

import (
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"hawker/grants"
	"hawker/participants"
	"hawker/users"
)

// rule says who may use a route. The zero rule allows no one, and a route
// registered with it fails the start: every route states its rule here.
type rule struct {
	public bool         // anyone, signed in or not
	roles  []users.Role // else: signed-in users with one of these roles
	// pending also lets in a user who must still replace a one-time
	// password; everyone else is sent to change it first.
	pending bool
}

var (
	public   = rule{public: true}
	signedIn = rule{roles: users.Roles}
	// ownAccount is for what a user needs before anything else: changing a
	// one-time password, signing out, saying who they are.
	ownAccount = rule{roles: users.Roles, pending: true}
)

// only allows signed-in users with one of roles.
func only(roles ...users.Role) rule { return rule{roles: roles} }

func (r rule) defined() bool { return r.public || len(r.roles) > 0 }

// allows reports whether a signed-in user with role may pass.
func (r rule) allows(role users.Role) bool {
	return r.public || slices.Contains(r.roles, role)
}

// route is one line of the sitemap: who may call it and what handles it.
// Object rules (a vendor sees only her own books, a donor only their own
// reports) are checked in the handler, by the helpers in authz.go.
type route struct {
	method  string
	path    string
	allow   rule
	handler fiber.Handler
}

// routes is every route Hawker serves, in one table that reads like a sitemap.
func (s *Server) routes() []route {
	return []route{
		// Operations.
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},

		// Pages.
		{"GET", "/", public, s.showHome},
		{"POST", "/language", public, s.setLanguage},

		// Signing in and out, one's own account.
		{"GET", "/login", public, s.showLogin},
		{"POST", "/login", public, s.signIn},
		{"POST", "/logout", ownAccount, s.signOut},
		{"GET", "/account", ownAccount, s.showAccount},
		{"POST", "/account/password", ownAccount, s.changePassword},
		{"POST", "/account/pin", only(users.Vendor), s.setPIN},
		// A vendor's phone, set up by her officer with a one-time link (phones.go).
		{"GET", "/d/:token", public, s.showPhoneLink},
		{"POST", "/d/:token", public, s.usePhoneLink},

		// Administration.
		{"GET", "/admin/users", only(users.Admin), s.listUsers},
		{"GET", "/admin/users/new", only(users.Admin), s.newUser},
		{"POST", "/admin/users", only(users.Admin), s.createUser},
		{"POST", "/admin/users/:id/disable", only(users.Admin), s.disableUser},
		{"POST", "/admin/users/:id/enable", only(users.Admin), s.enableUser},
		{"POST", "/admin/users/:id/reset-password", only(users.Admin), s.resetPassword},
		{"POST", "/admin/users/:id/end-sessions", only(users.Admin), s.endSessions},
		{"GET", "/admin/audit", only(users.Admin), s.showAudit},
		{"GET", "/admin/settings", only(users.Admin), s.showSettings},
		{"POST", "/admin/settings", only(users.Admin), s.saveSettings},
		{"POST", "/admin/settings/grants", only(users.Admin), s.saveGrantSettings},
		// The outbox (issue 13): each month's donor reports as e-mailed, or
		// kept here without a mail server, and each donor's report contacts.
		{"GET", "/admin/outbox", only(users.Admin), s.showOutbox},
		{"GET", "/admin/outbox/:id", only(users.Admin), s.showOutboxMail},
		{"GET", "/admin/outbox/:id/message.eml", only(users.Admin), s.downloadOutboxMail},
		{"GET", "/admin/outbox/:id/report.pdf", only(users.Admin), s.showOutboxReport},
		{"POST", "/admin/outbox/contacts", only(users.Admin), s.addDonorContact},
		{"POST", "/admin/outbox/contacts/:id/remove", only(users.Admin), s.removeDonorContact},

		// Participants (issue 5): officers enrol and record; managers review
		// plans and erase; vendors reach only their own file through the API.
		{"GET", "/participants", only(users.Officer, users.Manager), s.listParticipants},
		{"GET", "/participants/new", only(users.Officer), s.newParticipant},
		{"POST", "/participants", only(users.Officer), s.enrolParticipant},
		{"GET", "/participants/:code", only(users.Officer, users.Manager), s.showParticipant},
		{"POST", "/participants/:code/consents", only(users.Officer), s.recordConsent},
		{"POST", "/participants/:code/phone-link", only(users.Officer), s.createPhoneLink},
		{"POST", "/participants/:code/phones/:id/revoke", only(users.Officer), s.revokePhone},
		{"GET", "/participants/:code/export", only(users.Officer, users.Manager), s.exportParticipant},
		{"GET", "/participants/:code/erase", only(users.Manager), s.confirmErase},
		{"POST", "/participants/:code/erase", only(users.Manager), s.eraseParticipant},
		{"GET", "/participants/:code/training/new", only(users.Officer), s.newCompletion},
		{"POST", "/participants/:code/training", only(users.Officer), s.recordCompletion},
		{"GET", "/participants/:code/plans/new", only(users.Officer, users.Manager), s.newPlan},
		{"POST", "/participants/:code/plans", only(users.Officer, users.Manager), s.createPlan},
		{"GET", "/plans/:id", only(users.Officer, users.Manager), s.showPlan},
		{"GET", "/plans/:id/edit", only(users.Officer, users.Manager), s.editPlan},
		{"POST", "/plans/:id", only(users.Officer, users.Manager), s.updatePlan},
		{"POST", "/plans/:id/submit", only(users.Officer, users.Manager), s.reviewPlan(participants.Submit)},
		{"POST", "/plans/:id/approve", only(users.Manager), s.reviewPlan(participants.Approve)},
		{"POST", "/plans/:id/return", only(users.Manager), s.reviewPlan(participants.Return)},

		// Training: the catalogue is the administrators'; officers record classes.
		{"GET", "/training/modules", only(users.Admin), s.listModules},
		{"GET", "/training/modules/new", only(users.Admin), s.newModule},
		{"POST", "/training/modules", only(users.Admin), s.saveModule},
		{"GET", "/training/modules/:id/edit", only(users.Admin), s.editModule},
		{"POST", "/training/modules/:id", only(users.Admin), s.saveModule},
		{"GET", "/training/classes/new", only(users.Officer), s.newClass},
		{"POST", "/training/classes", only(users.Officer), s.recordClass},

		// JSON API: participants, training, plans.
		{"POST", "/api/v1/participants", only(users.Officer), s.apiEnrol},
		{"GET", "/api/v1/participants/:code", only(users.Officer, users.Manager, users.Vendor), s.apiParticipant},
		{"GET", "/api/v1/participants/:code/export", only(users.Officer, users.Manager, users.Vendor), s.apiExport},
		{"GET", "/api/v1/participants/:code/eligibility", only(users.Officer, users.Manager, users.Vendor), s.apiEligibility},
		{"POST", "/api/v1/participants/:code/consents", only(users.Officer), s.apiRecordConsent},
		{"POST", "/api/v1/participants/:code/training", only(users.Officer), s.apiRecordTraining},
		{"POST", "/api/v1/participants/:code/plans", only(users.Officer, users.Manager), s.apiCreatePlan},
		{"GET", "/api/v1/training/modules", only(users.Admin, users.Officer, users.Manager), s.apiModules},
		{"GET", "/api/v1/plans/:id", only(users.Officer, users.Manager), s.apiPlan},
		{"POST", "/api/v1/plans/:id/submit", only(users.Officer, users.Manager), s.apiReviewPlan(participants.Submit)},
		{"POST", "/api/v1/plans/:id/approve", only(users.Manager), s.apiReviewPlan(participants.Approve)},
		{"POST", "/api/v1/plans/:id/return", only(users.Manager), s.apiReviewPlan(participants.Return)},

		// Vendors' books (issue 6): the vendor's own at /books (the PWA's
		// start), anyone's at /vendors/{code} for staff; the service worker
		// at the root so that its scope covers both.
		{"GET", "/sw.js", public, s.serveWorker},
		{"GET", "/manifest.webmanifest", public, s.serveManifest},
		{"GET", "/favicon.ico", public, s.serveFavicon},
		{"GET", "/offline", public, s.showOffline},
		{"GET", "/books", only(users.Vendor), s.showBooks},
		{"POST", "/books/entries", only(users.Vendor), s.recordEntryForm},
		{"POST", "/books/entries/:id/void", only(users.Vendor), s.voidEntryForm},
		{"POST", "/books/opening", only(users.Vendor), s.recordOpeningForm},
		{"GET", "/books/promptpay", only(users.Vendor), s.showPromptPay},
		{"POST", "/books/promptpay", only(users.Vendor), s.savePromptPay},
		{"GET", "/books/promptpay.svg", only(users.Vendor), s.promptPayQR},
		{"GET", "/vendors/import", only(users.Officer), s.showImport},
		{"POST", "/vendors/import", only(users.Officer), s.importEntriesForm},
		{"GET", "/vendors/:code", only(users.Officer, users.Manager, users.Vendor), s.showVendor},
		{"POST", "/vendors/:code/entries", only(users.Officer, users.Vendor), s.recordEntryForm},
		{"POST", "/vendors/:code/entries/:id/void", only(users.Officer, users.Vendor), s.voidEntryForm},
		{"POST", "/vendors/:code/opening", only(users.Officer, users.Vendor), s.recordOpeningForm},
		{"GET", "/vendors/:code/promptpay", only(users.Officer, users.Manager, users.Vendor), s.showPromptPay},
		{"POST", "/vendors/:code/promptpay", only(users.Officer, users.Vendor), s.savePromptPay},
		{"GET", "/vendors/:code/promptpay.svg", only(users.Officer, users.Manager, users.Vendor), s.promptPayQR},

		// JSON API: vendors' books.
		{"POST", "/api/v1/entries", only(users.Vendor, users.Officer), s.apiRecordEntry},
		{"POST", "/api/v1/entries/import", only(users.Officer), s.apiImportEntries},
		{"GET", "/api/v1/entries/:id", only(users.Vendor, users.Officer, users.Manager), s.apiEntry},
		{"POST", "/api/v1/entries/:id/void", only(users.Vendor, users.Officer), s.apiVoidEntry},
		{"POST", "/api/v1/participants/:code/opening", only(users.Vendor, users.Officer), s.apiRecordOpening},
		{"GET", "/api/v1/participants/:code/days", only(users.Vendor, users.Officer, users.Manager), s.apiDays},
		{"POST", "/api/v1/periods/:month/close", only(users.Manager), s.apiClosePeriod},
		{"GET", "/periods", only(users.Manager), s.showPeriods},
		{"POST", "/periods/:month/close", only(users.Manager), s.closeMonthForm},

		// Monthly statements (issue 12): a vendor her own (the latest kept
		// on her phone for offline reading), staff anyone's (audited),
		// donors none; the bulk ZIP as a background job; the public
		// verification address printed on each closed month's statement.
		{"GET", "/api/v1/participants/:code/statements/:file", only(users.Vendor, users.Officer, users.Manager), s.apiStatement},
		{"GET", "/books/statement.pdf", only(users.Vendor), s.showLatestStatement},
		{"GET", "/statements", mayDownloadStatements, s.showStatements},
		{"POST", "/statements", mayDownloadStatements, s.startStatements},
		{"GET", "/statements/jobs/:id", mayDownloadStatements, s.showStatementJob},
		{"GET", "/statements/jobs/:id/statements.zip", mayDownloadStatements, s.downloadStatementJob},
		{"GET", "/api/v1/statement-jobs/:id", mayDownloadStatements, s.apiStatementJob},
		{"GET", "/verify/:token", public, s.showVerify},

		// Grants (issue 11): officers draft and release, any officer or
		// manager but the drafter approves (the rules are the grants
		// package's), managers add donors, funds and receipts, donors read
		// their own funds' figures, a vendor her own grants.
		{"GET", "/grants", only(staffRoles...), s.listGrants},
		{"GET", "/grants/new", only(staffRoles...), s.newGrant},
		{"POST", "/grants", only(staffRoles...), s.saveGrant},
		{"GET", "/grants/inbox", only(staffRoles...), s.showInbox},
		{"GET", "/grants/:id", only(staffRoles...), s.showGrant},
		{"GET", "/grants/:id/edit", only(staffRoles...), s.editGrant},
		{"POST", "/grants/:id", only(staffRoles...), s.saveGrant},
		{"POST", "/grants/:id/submit", only(staffRoles...), s.actGrant(grants.Submit)},
		{"POST", "/grants/:id/approve", only(staffRoles...), s.actGrant(grants.Approve)},
		{"POST", "/grants/:id/reject", only(staffRoles...), s.actGrant(grants.Reject)},
		{"POST", "/grants/:id/cancel", only(staffRoles...), s.actGrant(grants.Cancel)},
		{"POST", "/grants/:id/tranches/:n/disburse", only(staffRoles...), s.releaseTranche},
		{"POST", "/grants/:id/tranches/:n/confirm", only(staffRoles...), s.confirmTranche},
		{"POST", "/grants/:id/tranches/:n/reverse", only(users.Manager), s.reverseTranche},
		{"POST", "/grants/:id/equipment/:item/handover", only(staffRoles...), s.handOverItem},
		{"GET", "/impact", only(users.Officer, users.Manager, users.Admin, users.Donor), s.showImpact},
		{"GET", "/funds", only(users.Officer, users.Manager, users.Admin, users.Donor), s.showFunds},
		{"POST", "/funds", only(users.Manager, users.Admin), s.openFund},
		{"POST", "/funds/:id/receipts", only(users.Manager, users.Admin), s.receiveForm},
		{"POST", "/donors", only(users.Manager, users.Admin), s.addDonor},
		{"GET", "/equipment", only(staffRoles...), s.showRegister},
		{"POST", "/equipment/:item/recover", only(staffRoles...), s.moveItemForm("recover")},
		{"POST", "/equipment/:item/reassign", only(staffRoles...), s.moveItemForm("reassign")},
		{"POST", "/equipment/:item/write-off", only(staffRoles...), s.moveItemForm("write-off")},
		{"GET", "/books/grants", only(users.Vendor), s.showOwnGrants},

		// JSON API: donors, funds and grants (issue 11). Officers and managers
		// run grants; managers and administrators add donors and funds and
		// record receipts; a donor reads only their own funds' figures; a
		// vendor reads only her own grants.
		{"POST", "/api/v1/donors", only(users.Manager, users.Admin), s.apiCreateDonor},
		{"GET", "/api/v1/donors/:id", only(users.Officer, users.Manager, users.Admin, users.Donor), s.apiDonor},
		{"POST", "/api/v1/funds", only(users.Manager, users.Admin), s.apiCreateFund},
		{"GET", "/api/v1/donors/:id/impact", only(users.Manager, users.Admin, users.Officer, users.Donor), s.apiImpact},
		{"GET", "/api/v1/donors/:id/impact.pdf", only(users.Manager, users.Admin, users.Officer, users.Donor), s.apiImpact},
		{"GET", "/api/v1/donors/:id/impact.csv", only(users.Manager, users.Admin, users.Officer, users.Donor), s.apiImpact},
		{"GET", "/api/v1/funds/:id", only(users.Officer, users.Manager, users.Admin, users.Donor), s.apiFund},
		{"POST", "/api/v1/funds/:id/receipts", only(users.Manager, users.Admin), s.apiReceive},
		{"GET", "/api/v1/grants", only(staffRoles...), s.apiGrants},
		{"POST", "/api/v1/grants", only(staffRoles...), s.apiCreateGrant},
		{"GET", "/api/v1/grants/:id", only(users.Officer, users.Manager, users.Vendor), s.apiGrant},
		{"PUT", "/api/v1/grants/:id", only(staffRoles...), s.apiUpdateGrant},
		{"POST", "/api/v1/grants/:id/submit", only(staffRoles...), s.apiMoveGrant(grants.Submit)},
		{"POST", "/api/v1/grants/:id/approve", only(staffRoles...), s.apiMoveGrant(grants.Approve)},
		{"POST", "/api/v1/grants/:id/reject", only(staffRoles...), s.apiMoveGrant(grants.Reject)},
		{"POST", "/api/v1/grants/:id/cancel", only(staffRoles...), s.apiMoveGrant(grants.Cancel)},
		{"POST", "/api/v1/grants/:id/tranches/:n/disburse", only(staffRoles...), s.apiDisburse},
		{"POST", "/api/v1/grants/:id/tranches/:n/confirm", only(staffRoles...), s.apiConfirmMilestone},
		{"POST", "/api/v1/grants/:id/tranches/:n/reverse", only(users.Manager), s.apiReverseTranche},
		{"POST", "/api/v1/grants/:id/equipment/:item/handover", only(staffRoles...), s.apiHandOver},
		{"POST", "/api/v1/equipment/:item/recover", only(staffRoles...), s.apiMoveItem("recover")},
		{"POST", "/api/v1/equipment/:item/reassign", only(staffRoles...), s.apiMoveItem("reassign")},
		{"POST", "/api/v1/equipment/:item/write-off", only(staffRoles...), s.apiMoveItem("write-off")},

		// JSON API: session.
		{"POST", "/api/v1/login", public, s.apiLogin},
		{"POST", "/api/v1/logout", ownAccount, s.apiLogout},
		{"GET", "/api/v1/me", ownAccount, s.apiMe},
	}
}

func (s *Server) register() error { return s.mount(append(s.routes(), s.deps.testRoutes...)) }

// mount installs the middleware every request passes (compression of text, security headers and
// the refusal of NUL and non-UTF-8 input; then, past the static files, the session and the CSRF check) and each of
// rs behind the check of its rule.
func (s *Server) mount(rs []route) error {
	if len(s.deps.Secret) < 16 {
		return fmt.Errorf("app: Deps.Secret must be at least 16 bytes")
	}
	s.Fiber.Use(compressText(), s.findClient, s.securityHeaders, refuseJunk)
	s.Fiber.Use("/static", s.serveStatic)
	s.Fiber.Use(s.loadSession, s.checkCSRF)
	if err := s.addRoutes(rs); err != nil {
		return err
	}
	// Anything else is a 404 through the error handler.
	s.Fiber.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return nil
}

// addRoutes installs rs, each behind the check of its rule; a route without
// a handler or a rule stops the start.
func (s *Server) addRoutes(rs []route) error {
	for _, r := range rs {
		if r.handler == nil || !r.allow.defined() {
			return fmt.Errorf("app: route %s %s needs a handler and an access rule", r.method, r.path)
		}
	}
	for _, r := range rs {
		s.Fiber.Add(r.method, r.path, s.guard(r))
		if r.method == fiber.MethodGet {
			// HEAD answers like GET, without the body (as Fiber's Get does).
			s.Fiber.Add(fiber.MethodHead, r.path, s.guard(r))
		}
	}
	return nil
}
