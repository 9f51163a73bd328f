package app

import (
	"regexp"
	"strconv"
	"strings"
	"time"

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
	// Shapes of the rarer actions, read into the sentences their details use.
	{"auth.sign_in", regexp.MustCompile(`^method=device device=(?P<Device>\d+)$`), "auditlog.x_auth_sign_in_device"},
	{"auth.sign_in", regexp.MustCompile(`^method=device_link device=(?P<Device>\d+)$`), "auditlog.x_auth_sign_in_device_link"},
	{"auth.device_link.create", regexp.MustCompile(`^one-time phone sign-in link, expires (?P<Expires>\S+)$`), "auditlog.x_auth_device_link_create"},
	{"auth.device_link.use", regexp.MustCompile(`^link made by user (?P<By>\d+); device (?P<Device>\d+)$`), "auditlog.x_auth_device_link_use"},
	{"auth.device.add", regexp.MustCompile(`^device (?P<Device>\d+): (?P<Label>.*)$`), "auditlog.x_auth_device_add"},
	{"auth.device.revoke", regexp.MustCompile(`^device (?P<Device>\d+); (?P<Count>\d+) sessions ended$`), "auditlog.x_auth_device_revoke"},
	{"user.set_pin", regexp.MustCompile(`^set on her phone with a one-time link$`), "auditlog.x_user_set_pin_phone_link"},
	{"user.set_pin", regexp.MustCompile(`^set on her phone with a one-time link; one-time password retired$`), "auditlog.x_user_set_pin_phone_link_retired"},
	{"participant.export", regexp.MustCompile(`^hawker\.participant/v\d+$`), "auditlog.x_participant_export"},
	{"vendor.promptpay.set", regexp.MustCompile(`^PromptPay id set \((?P<IdKind>mobile|national_id)\)$`), "auditlog.x_vendor_promptpay_set"},
	{"fund.create", regexp.MustCompile(`^donor (?P<Donor>\d+), (?P<Name>.*)$`), "auditlog.x_fund_create"},
	{"grant.complete", regexp.MustCompile(`^every tranche released and every item handed over$`), "auditlog.x_grant_complete"},
	{"donor.contact_add", regexp.MustCompile(`^contact=(?P<Contact>\d+) language=(?P<Lang>th|en)$`), "auditlog.x_donor_contact_add"},
	{"donor.contact_remove", regexp.MustCompile(`^contact=(?P<Contact>\d+)$`), "auditlog.x_donor_contact_remove"},
	{"participant.view", regexp.MustCompile(`^entry:(?P<Entry>\d+)$`), "auditlog.x_participant_view_entry"},
	{"participant.view", regexp.MustCompile(`^days:(?P<Month>\d{4}-\d{2})$`), "auditlog.x_participant_view_days"},
	{"participant.view", regexp.MustCompile(`^books$`), "auditlog.x_participant_view_books"},
	{"participant.view", regexp.MustCompile(`^promptpay$`), "auditlog.x_participant_view_promptpay"},
	{"participant.view", regexp.MustCompile(`^eligibility$`), "auditlog.x_participant_view_eligibility"},
	{"participant.view", regexp.MustCompile(`^api$`), "auditlog.x_participant_view_api"},
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
		return tr.T(lang, "auditlog.lang_"+value)
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
	case "IdKind":
		return tr.T(lang, "auditlog.pp_"+value)
	case "Expires":
		if t, err := time.Parse(time.RFC3339, value); err == nil {
			t = t.In(thai.Bangkok)
			return thai.DateIn(lang, t) + " " + t.Format("15:04")
		}
	case "Count", "Entries", "Vendors", "N", "Of", "Held":
		if n, err := strconv.Atoi(value); err == nil {
			return n
		}
	}
	return value
}

// auditDetail is what e did as a sentence for a reader of lang: from its
// action and details where it has them, else from its summary read by the
// rules above (rows written before details were kept), else the recorded
// text itself (raw: a shape neither reads).
func (s *Server) auditDetail(lang string, e audit.Event, logins map[int64]string) (text string, raw bool) {
	if text, ok := s.auditFromDetails(lang, e, logins); ok {
		return text, false
	}
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

// detailsKey is the catalogue sentence that tells e from its details: the
// grant timeline's for a grant's steps (one wording on both pages), else
// "auditlog.x_<action>", followed by the variant a detail names (what was
// viewed, how she signed in, how a PIN was set).
func detailsKey(e audit.Event) string {
	action := strings.ReplaceAll(e.Action, ".", "_")
	switch {
	case e.Action == "grant.approve" && e.Details["total"] != "":
		return "timeline.grant_approve_committed"
	case strings.HasPrefix(e.Action, "grant.") && e.Action != "grant.complete" && e.Action != "grant.settings.threshold":
		return "timeline." + action + "_detail"
	}
	key := "auditlog.x_" + action
	for _, variant := range []string{"what", "method", "how"} {
		if v := e.Details[variant]; v != "" {
			return key + "_" + v
		}
	}
	return key
}

// auditFromDetails tells e from its action and details; ok is false when
// e has no details, or no sentence of the catalogue tells them.
func (s *Server) auditFromDetails(lang string, e audit.Event, logins map[int64]string) (string, bool) {
	tr := s.views.tr
	key := detailsKey(e)
	if len(e.Details) == 0 || !tr.Has(key) {
		return "", false
	}
	args := make([]any, 0, 2*len(e.Details)+2)
	for k, v := range e.Details {
		switch k {
		case "name_th", "name_en": // a module's names: the reader's
			if k == "name_"+lang {
				args = append(args, "Name", v)
			}
			continue
		}
		args = append(args, detailArg(k), s.detailWord(lang, e.Action, k, v, logins))
	}
	return tr.T(lang, key, args...), true
}

// detailArg is the catalogue argument of detail k: "id_kind" is {{.IdKind}}.
func detailArg(k string) string {
	var b strings.Builder
	for _, part := range strings.Split(k, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// detailWord is detail k's value v in words for a reader of lang: codes by
// their catalogue names, amounts, dates and months as the pages write
// them, a user by login. Free text (a reason, a name) is shown as typed.
func (s *Server) detailWord(lang, action, k, v string, logins map[int64]string) any {
	tr := s.views.tr
	word := func(key string) any {
		if tr.Has(key) {
			return tr.T(lang, key)
		}
		return v
	}
	switch k {
	case "amount", "total", "value":
		if a, err := money.Parse(v); err == nil {
			return a.In(lang)
		}
	case "on":
		if d, err := valid.Date(v); err == nil {
			return thai.DateIn(lang, d)
		}
	case "expires":
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			t = t.In(thai.Bangkok)
			return thai.DateIn(lang, t) + " " + t.Format("15:04")
		}
	case "month":
		if m, err := valid.Month(v); err == nil {
			return thai.MonthIn(lang, m)
		}
	case "role":
		return word("role." + v)
	case "lang":
		return word("auditlog.lang_" + v)
	case "purpose", "given":
		return word("consent." + v)
	case "tab":
		return word("tab." + v)
	case "state":
		if strings.HasPrefix(action, "plan.") {
			return word("plan.state_" + v)
		}
		return word("grant.state_" + v)
	case "kind":
		return word("auditlog.kind_" + v)
	case "id_kind":
		return word("auditlog.pp_" + v)
	case "condition":
		return word("grant.cond_" + v)
	case "passed":
		if v == "true" {
			return tr.T(lang, "training.passed")
		}
		return tr.T(lang, "training.failed")
	case "required", "active":
		return word("auditlog.bool_" + v)
	case "validity":
		if n, err := strconv.Atoi(v); err == nil {
			return tr.T(lang, "auditlog.validity_months", "Count", n)
		}
		return word("auditlog.validity_" + v)
	case "file":
		return strings.ToUpper(v)
	case "by":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && logins[n] != "" {
			return logins[n]
		}
	case "count", "entries", "vendors", "held", "seq", "needed":
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return v
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
		return tr.T(lang, "auditlog.obj_user_id", "ID", id) // a user since removed
	case "login": // sign-ins locked for a login no user has
		return tr.T(lang, "auditlog.obj_login", "Name", id)
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
