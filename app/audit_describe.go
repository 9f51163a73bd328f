package app

import (
	"regexp"
	"strconv"
	"strings"

	"hawker/audit"
	"hawker/money"
	"hawker/thai"
	"hawker/valid"
)

// The audit trail keeps machine codes (an action such as "auth.sign_in", an
// object such as "user:12", a summary such as "login=vendor41 role=vendor"):
// they are what the hash chain covers and what tools filter on. People read
// them here as sentences of the catalogue: the action's description
// ("auditlog.<action with _>"), the object by its name, and the summary's
// parts each in its own words.

// auditActions are the trail's actions in the order the filter lists them.
// Each has a description in the catalogue (the audit test checks it).
var auditActions = []string{
	"auth.sign_in", "auth.sign_out", "auth.renew", "auth.lock", "auth.end_sessions",
	"auth.device_link.create", "auth.device_link.use", "auth.device.add", "auth.device.revoke",
	"user.create", "user.disable", "user.enable", "user.reset_password", "user.change_password", "user.set_pin", "user.set_language",
	"participant.enrol", "participant.view", "participant.list", "participant.consent", "participant.export", "participant.erase",
	"training.module_add", "training.module_update", "training.record",
	"plan.create", "plan.update", "plan.submit", "plan.approve", "plan.return",
	"vendor.opening.record", "vendor.entry.record", "vendor.entry.void", "vendor.entries.import", "vendor.promptpay.set", "vendor.settings.ceiling",
	"ledger.close", "ledger.reopen", "statement.download", "statement.download_all",
	"donor.add", "donor.contact_add", "donor.contact_remove", "fund.create", "fund.receipt",
	"grant.create", "grant.edit", "grant.submit", "grant.approve", "grant.reject", "grant.cancel", "grant.complete",
	"grant.disburse", "grant.milestone", "grant.reverse", "grant.handover",
	"grant.item.recover", "grant.item.reassign", "grant.item.write_off", "grant.settings.threshold",
}

// auditActionKey is the catalogue key of action's description.
func auditActionKey(action string) string {
	return "auditlog." + strings.ReplaceAll(action, ".", "_")
}

// detailRule reads one shape of an action's summary into the arguments of
// a catalogue sentence. Named groups become arguments; fix turns a group's
// text into words (a role code into its name, a date into B.E.).
type detailRule struct {
	action string
	re     *regexp.Regexp
	key    string
}

var detailRules = []detailRule{
	{"auth.sign_in", regexp.MustCompile(`^method=(?P<Method>password|pin)$`), "auditlog.d_method"},
	{"auth.lock", regexp.MustCompile(`^(?P<Count>\d+) failed sign-ins from (?P<IP>\S+)$`), "auditlog.d_lock"},
	{"auth.end_sessions", regexp.MustCompile(`^(?P<Count>\d+) sessions ended$`), "auditlog.d_sessions"},
	{"user.create", regexp.MustCompile(`^login=(?P<Login>\S+) role=(?P<Role>\w+)$`), "auditlog.d_user"},
	{"user.set_language", regexp.MustCompile(`^language=(?P<Lang>th|en)$`), "auditlog.d_language"},
	{"user.reset_password", regexp.MustCompile(`^one-time password issued, PIN cleared$`), "auditlog.d_reset"},
	{"participant.enrol", regexp.MustCompile(`^cohort (?P<Cohort>.+)$`), "auditlog.d_cohort"},
	{"participant.consent", regexp.MustCompile(`^(?P<Purpose>programme|donor_reports|story) (?P<Given>given|withheld)$`), "auditlog.d_consent"},
	{"participant.view", regexp.MustCompile(`^file:(?P<Tab>profile|consent|training|plans|grants|books)$`), "auditlog.d_view_tab"},
	{"participant.view", regexp.MustCompile(`^plan:(?P<Version>\d+)$`), "auditlog.d_view_plan"},
	{"participant.list", regexp.MustCompile(`^(?:search; )?(?P<Count>\d+) shown(?:: (?P<Codes>.*))?$`), "auditlog.d_list"},
	{"training.record", regexp.MustCompile(`^module (?P<Module>\d+) on (?P<Date>\d{4}-\d{2}-\d{2}), passed=(?P<Passed>true|false)`), "auditlog.d_training"},
	{"plan.create", regexp.MustCompile(`^(?P<State>draft)$`), "auditlog.d_plan_state"},
	{"plan.update", regexp.MustCompile(`^(?P<State>draft|submitted|returned|approved)$`), "auditlog.d_plan_state"},
	{"plan.submit", regexp.MustCompile(`^(?P<State>submitted)$`), "auditlog.d_plan_state"},
	{"plan.approve", regexp.MustCompile(`^(?P<State>approved)$`), "auditlog.d_plan_state"},
	{"plan.return", regexp.MustCompile(`^(?P<State>returned): (?P<Comment>.*)$`), "auditlog.d_plan_returned"},
	{"vendor.entry.void", regexp.MustCompile(`^entry (?P<ID>\d+) \((?P<Kind>sale|expense|drawing) (?P<Amount>[\d.]+) on (?P<Date>\d{4}-\d{2}-\d{2})\) voided: (?P<Reason>.*)$`), "auditlog.d_void"},
	{"vendor.entry.record", regexp.MustCompile(`^entry (?P<ID>\d+): (?P<Kind>sale|expense|drawing)\b.* (?P<Amount>[\d.]+) on (?P<Date>\d{4}-\d{2}-\d{2}) from a paper form$`), "auditlog.d_entry"},
	{"vendor.opening.record", regexp.MustCompile(`^opening cash (?P<Amount>[\d.]+) on (?P<Date>\d{4}-\d{2}-\d{2})`), "auditlog.d_opening"},
	{"vendor.entries.import", regexp.MustCompile(`^(?P<Entries>\d+) entries for (?P<Vendors>\d+) vendors imported from a CSV file$`), "auditlog.d_import"},
	{"vendor.settings.ceiling", regexp.MustCompile(`^line ceiling (?P<Amount>[\d.]+)$`), "auditlog.d_amount"},
	{"grant.settings.threshold", regexp.MustCompile(`^manager threshold (?P<Amount>[\d.]+)$`), "auditlog.d_amount"},
	{"ledger.close", regexp.MustCompile(`^month (?P<Month>\d{4}-\d{2})$`), "auditlog.d_month"},
	{"ledger.reopen", regexp.MustCompile(`^month (?P<Month>\d{4}-\d{2}): (?P<Reason>.*)$`), "auditlog.d_reopen"},
	{"statement.download", regexp.MustCompile(`^month=(?P<Month>\d{4}-\d{2}) file=(?P<File>pdf|csv) lang=(?P<Lang>th|en) fingerprint=(?P<Print>\S+)$`), "auditlog.d_statement"},
	{"statement.download_all", regexp.MustCompile(`^month=(?P<Month>\d{4}-\d{2}) statements=(?P<Count>\d+)$`), "auditlog.d_statements"},
	{"donor.add", regexp.MustCompile(`^name=(?P<Name>.*)$`), "auditlog.d_name"},
	{"fund.receipt", regexp.MustCompile(`^received (?P<Amount>[\d.]+) on (?P<Date>\d{4}-\d{2}-\d{2})$`), "auditlog.d_receipt"},
	{"grant.reject", regexp.MustCompile(`^reason: (?P<Reason>.*)$`), "auditlog.d_reason"},
	{"grant.submit", regexp.MustCompile(`^total (?P<Amount>[\d.]+), (?P<Count>\d+) approval\(s\) needed$`), "auditlog.d_grant_submit"},
	{"grant.approve", regexp.MustCompile(`^approval (?P<N>\d+) of (?P<Of>\d+)`), "auditlog.d_grant_approve"},
	{"grant.create", regexp.MustCompile(`^(?P<Code>\S+) from fund (?P<Fund>\d+), total (?P<Amount>[\d.]+)$`), "auditlog.d_grant"},
	{"grant.edit", regexp.MustCompile(`^(?P<Code>\S+) from fund (?P<Fund>\d+), total (?P<Amount>[\d.]+)$`), "auditlog.d_grant"},
}

// auditWords turns the summary's codes into words for a reader of lang.
func (s *Server) auditWords(lang, group, value string) any {
	tr := s.views.tr
	switch group {
	case "Method":
		return tr.T(lang, "auditlog.method_"+value)
	case "Role":
		return tr.T(lang, "role."+value)
	case "Lang":
		return tr.T(lang, "lang."+value)
	case "Purpose":
		return tr.T(lang, "consent."+value)
	case "Given":
		return tr.T(lang, "consent."+value)
	case "Tab":
		return tr.T(lang, "tab."+value)
	case "State":
		return tr.T(lang, "plan.state_"+value)
	case "Kind":
		return tr.T(lang, "auditlog.kind_"+value)
	case "Passed":
		if value == "true" {
			return tr.T(lang, "training.passed")
		}
		return tr.T(lang, "training.failed")
	case "Date":
		if d, err := valid.Date(value); err == nil {
			return thai.DateIn(lang, d)
		}
	case "Month":
		if m, err := valid.Month(value); err == nil {
			return thai.MonthIn(lang, m)
		}
	case "Amount":
		if a, err := money.Parse(value); err == nil {
			return a.Format()
		}
	case "File":
		return strings.ToUpper(value)
	case "Count", "Entries", "Vendors", "N", "Of":
		if n, err := strconv.Atoi(value); err == nil {
			return n
		}
	}
	return value
}

// auditDetail is the summary of e as a sentence for a reader of lang, or
// the recorded text when no rule reads it (a shape this table has not met).
func (s *Server) auditDetail(lang string, e audit.Event) (text string, raw bool) {
	if e.Summary == "" {
		return "", false
	}
	for _, r := range detailRules {
		if r.action != e.Action {
			continue
		}
		m := r.re.FindStringSubmatch(e.Summary)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range r.re.SubexpNames() {
			if name != "" {
				args = append(args, name, s.auditWords(lang, name, m[i]))
			}
		}
		return s.views.tr.T(lang, r.key, args...), false
	}
	return e.Summary, true
}

// auditObject names e's object for a reader: a user by login, a
// participant by code, anything else by its kind's name and number.
func (s *Server) auditObject(lang, object string, logins map[int64]string) string {
	tr := s.views.tr
	kind, id, ok := strings.Cut(object, ":")
	if !ok {
		if tr.Has("auditlog.obj_" + object) {
			return tr.T(lang, "auditlog.obj_"+object)
		}
		return object
	}
	switch kind {
	case "user":
		n, _ := strconv.ParseInt(id, 10, 64)
		if login, ok := logins[n]; ok {
			return tr.T(lang, "auditlog.obj_user", "Name", login)
		}
	case "participant":
		code, plan, isPlan := strings.Cut(id, "/plan:")
		if isPlan {
			return tr.T(lang, "auditlog.obj_plan", "Code", code, "Version", plan)
		}
		return tr.T(lang, "auditlog.obj_participant", "Code", code)
	}
	if key := "auditlog.obj_" + kind; tr.Has(key) {
		return tr.T(lang, key, "ID", id)
	}
	return object
}
