package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web/form"
)

// The settings forms that change taxes, number series, reason codes, users
// and branding. Each calls one service method, which checks the role; a
// failure re-renders the page with the form as posted and its field errors.
func (h *Handler) registerSettings(mux *http.ServeMux) {
	mux.HandleFunc("POST /console/settings/taxes", h.staff(h.taxSave))
	mux.HandleFunc("POST /console/settings/series/{kind}", h.staff(h.seriesSave))
	mux.HandleFunc("POST /console/settings/reason-codes", h.staff(h.reasonSave))
	mux.HandleFunc("POST /console/settings/users/{id}", h.staff(h.userUpdate))
	mux.HandleFunc("POST /console/settings/users/{id}/disabled", h.staff(h.userDisabled))
	mux.HandleFunc("POST /console/settings/users/{id}/password", h.staff(h.userPassword))
	mux.HandleFunc("POST /console/settings/branding", h.staff(h.brandingSave))
	mux.HandleFunc("POST /console/settings/logo", h.staff(h.logoUpload))
	mux.HandleFunc("POST /console/settings/logo/delete", h.staff(h.logoDelete))
	mux.HandleFunc("GET /console/settings/logo", h.staff(h.logoGet))
	mux.HandleFunc("POST /console/settings/exchange-rates", h.staff(h.rateSave))
	mux.HandleFunc("POST /console/settings/exchange-rates/delete", h.staff(h.rateDelete))
	mux.HandleFunc("POST /console/settings/exchange-rates/csv", h.staff(h.rateImport))
	mux.HandleFunc("POST /console/settings/approval", h.staff(h.approvalSave))
	h.registerSettingsMore(mux)
}

// approvalSave turns the approval workflow on or off: with it on, every
// draft is submitted and approved before it is issued.
func (h *Handler) approvalSave(w http.ResponseWriter, r *http.Request) {
	var on bool
	switch r.PostFormValue("approval_required") {
	case "1", "on":
		on = true
	case "", "0":
	default:
		h.settingsFormError(w, r, fail.Field("approval_required", "use 1 to require approval or 0 not to"), "approval", "approval", nil)
		return
	}
	if _, err := h.svc.SetApprovalRequired(r.Context(), access.FromContext(r.Context()), on); err != nil {
		h.settingsFormError(w, r, err, "approval", "approval", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#approval")
}

// rateImport imports a CSV file of rates (currency,date,rate): all or
// nothing; the page names every bad line.
func (h *Handler) rateImport(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if err := p.Require(access.ManageExchangeRates); err != nil {
		h.settingsFormError(w, r, err, "rates-csv", "exchange-rates", nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		h.settingsFormError(w, r, fail.Field("file", "choose a CSV file of at most 8 MiB with the header currency,date,rate"), "rates-csv", "exchange-rates", nil)
		return
	}
	defer file.Close()
	rows, err := service.ParseExchangeRatesCSV(file)
	if err == nil {
		_, err = h.svc.ImportExchangeRates(r.Context(), p, rows)
	}
	if err != nil {
		h.settingsFormError(w, r, err, "rates-csv", "exchange-rates", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#exchange-rates")
}

// rateSave sets the rate of a currency from a date.
func (h *Handler) rateSave(w http.ResponseWriter, r *http.Request) {
	rf := form.PostedRate(r)
	_, err := h.svc.SetExchangeRate(r.Context(), access.FromContext(r.Context()), rf.Input())
	if err != nil {
		h.settingsFormError(w, r, err, "rate", "exchange-rates", func(d *settingsData) { d.RateForm = rf })
		return
	}
	redirect(w, r, "/console/settings?ok=saved#exchange-rates")
}

// rateDelete deletes the rate of a currency and date.
func (h *Handler) rateDelete(w http.ResponseWriter, r *http.Request) {
	err := h.svc.DeleteExchangeRate(r.Context(), access.FromContext(r.Context()), r.PostFormValue("currency"), r.PostFormValue("date"))
	if err != nil {
		h.settingsFormError(w, r, err, "rate", "exchange-rates", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#exchange-rates")
}

// settingsForms fills the edit forms of an administrator's settings page:
// a tax code or reason code picked by ?tax= or ?reason=, else a new one.
func (h *Handler) settingsForms(r *http.Request, d *settingsData) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	d.Categories, d.Me = tax.Categories, p.UserID
	for _, role := range access.Roles {
		if role.IsStaff() {
			d.StaffRoles = append(d.StaffRoles, role)
		}
	}
	if b, err := h.svc.GetBranding(ctx, p); err == nil {
		d.HasLogo = len(b.Logo) > 0
		if d.HasLogo {
			sum := sha256.Sum256(b.Logo)
			d.LogoVersion = hex.EncodeToString(sum[:6])
		}
		b.Logo = nil
		d.Branding = b
	}
	if sel := r.URL.Query().Get("rate"); sel != "" && d.CanRates {
		for _, x := range d.ExchangeRates {
			if x.Currency+"@"+x.Date.String() == sel {
				d.RateForm, d.Open = form.Rate{Currency: x.Currency, Date: x.Date.String(), Rate: x.Rate.String()}, "exchange-rates"
			}
		}
	}
	if !d.CanTenant {
		return
	}
	accounts, _ := h.svc.ListAccounts(ctx, p)
	taxAccount := ""
	for _, a := range accounts {
		if !a.Archived {
			d.Accounts = append(d.Accounts, a)
		}
		if a.Role == ledger.RoleTax {
			taxAccount = a.Code
		}
	}
	q := r.URL.Query()
	d.TaxForm = form.Tax{Category: string(tax.Standard), Account: taxAccount}
	for _, c := range d.TaxCodes {
		if code := q.Get("tax"); code != "" && c.Code == code {
			d.TaxForm, d.Open = form.TaxOf(c), "taxes"
		}
	}
	for _, rc := range d.ReasonCodes {
		if code := q.Get("reason"); code != "" && rc.Code == code {
			d.ReasonForm, d.Open = form.Reason{Code: rc.Code, Description: rc.Description, Archived: rc.Archived, Editing: true}, "reason-codes"
		}
	}
}

// settingsFormError re-renders the settings page after a failed form: the
// section named open stays open, and edit changes the form to show what was
// posted.
func (h *Handler) settingsFormError(w http.ResponseWriter, r *http.Request, err error, failed, open string, edit func(*settingsData)) {
	d := h.loadSettings(r)
	d.Failed, d.Open = failed, open
	if edit != nil {
		edit(d)
	}
	v := h.newView(r, "settings", T(infoFrom(r.Context()).lang, "nav.settings"), d)
	v.failed(r, err)
	d.Form = v.Form
	h.render(w, r, "settings", statusOf(r, err), v)
}

func (h *Handler) taxSave(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	tf := form.PostedTax(r)
	c, err := tf.TaxCode()
	if err == nil {
		_, err = h.svc.UpsertTaxCode(r.Context(), p, c)
	}
	if err != nil {
		h.settingsFormError(w, r, err, "tax", "taxes", func(d *settingsData) { d.TaxForm = tf })
		return
	}
	redirect(w, r, "/console/settings?ok=saved#taxes")
}

func (h *Handler) seriesSave(w http.ResponseWriter, r *http.Request) {
	kind, pattern := r.PathValue("kind"), r.PostFormValue("pattern")
	if err := h.svc.SetSeries(r.Context(), access.FromContext(r.Context()), kind, pattern); err != nil {
		h.settingsFormError(w, r, err, "series:"+kind, "series", func(d *settingsData) {
			if _, ok := d.Series[kind]; ok {
				d.Series[kind] = pattern
			}
		})
		return
	}
	redirect(w, r, "/console/settings?ok=saved#series")
}

func (h *Handler) reasonSave(w http.ResponseWriter, r *http.Request) {
	rf := form.PostedReason(r)
	_, err := h.svc.UpsertReasonCode(r.Context(), access.FromContext(r.Context()), rf.ReasonCode())
	if err != nil {
		h.settingsFormError(w, r, err, "reason", "reason-codes", func(d *settingsData) { d.ReasonForm = rf })
		return
	}
	redirect(w, r, "/console/settings?ok=saved#reason-codes")
}

// userUpdate changes a user's role and language; a field left out of the
// form (the role of your own row, which the page does not offer) stays.
func (h *Handler) userUpdate(w http.ResponseWriter, r *http.Request) {
	var patch service.UserPatch
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fail.Field("form", "could not be read: %v", err))
		return
	}
	if _, ok := r.PostForm["role"]; ok {
		patch.Role = ptrTo(r.PostForm.Get("role"))
	}
	if _, ok := r.PostForm["language"]; ok {
		patch.Language = ptrTo(r.PostForm.Get("language"))
	}
	h.userPatch(w, r, patch)
}

func (h *Handler) userDisabled(w http.ResponseWriter, r *http.Request) {
	var on bool
	switch r.PostFormValue("disabled") {
	case "1":
		on = true
	case "0":
	default:
		h.settingsFormError(w, r, fail.Field("disabled", "use 1 to disable the user or 0 to enable it"), "user:"+r.PathValue("id"), "users", nil)
		return
	}
	h.userPatch(w, r, service.UserPatch{Disabled: &on})
}

func (h *Handler) userPassword(w http.ResponseWriter, r *http.Request) {
	h.userPatch(w, r, service.UserPatch{Password: ptrTo(r.PostFormValue("password"))})
}

func (h *Handler) userPatch(w http.ResponseWriter, r *http.Request, patch service.UserPatch) {
	id := r.PathValue("id")
	if _, err := h.svc.UpdateUser(r.Context(), access.FromContext(r.Context()), id, patch); err != nil {
		h.settingsFormError(w, r, err, "user:"+id, "users", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#users")
}

func (h *Handler) brandingSave(w http.ResponseWriter, r *http.Request) {
	s := func(k string) *string { v := r.PostFormValue(k); return &v }
	patch := service.BrandingPatch{PrimaryColor: s("primary_color"), AccentColor: s("accent_color"),
		PaymentInstructions: s("payment_instructions"), IBAN: s("iban"), BIC: s("bic"), Email: s("email"), Phone: s("phone")}
	if _, err := h.svc.UpdateBranding(r.Context(), access.FromContext(r.Context()), patch); err != nil {
		h.settingsFormError(w, r, err, "branding", "branding", func(d *settingsData) {
			d.Branding.PrimaryColor, d.Branding.AccentColor = *patch.PrimaryColor, *patch.AccentColor
			d.Branding.PaymentInstructions, d.Branding.IBAN, d.Branding.BIC = *patch.PaymentInstructions, *patch.IBAN, *patch.BIC
			d.Branding.Email, d.Branding.Phone = *patch.Email, *patch.Phone
		})
		return
	}
	redirect(w, r, "/console/settings?ok=saved#branding")
}

// logoUpload takes the logo from a multipart form: a PNG or JPEG of at most
// documents.MaxLogoBytes (the service checks the type from the bytes).
func (h *Handler) logoUpload(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if err := p.Require(access.ManageTenant); err != nil {
		h.settingsFormError(w, r, err, "logo", "branding", nil)
		return
	}
	limit := documents.MaxLogoBytes >> 10
	r.Body = http.MaxBytesReader(w, r.Body, documents.MaxLogoBytes+64<<10)
	file, _, err := r.FormFile("logo")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = fail.Field("logo", "is too large: upload a PNG or JPEG of at most %d KiB", limit)
		} else {
			err = fail.Field("logo", "choose a PNG or JPEG image of at most %d KiB", limit)
		}
		h.settingsFormError(w, r, err, "logo", "branding", nil)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, documents.MaxLogoBytes+1))
	if err == nil && len(data) > documents.MaxLogoBytes {
		err = fail.Field("logo", "is too large: upload a PNG or JPEG of at most %d KiB", limit)
	}
	if err == nil {
		_, err = h.svc.SetLogo(r.Context(), p, data)
	}
	if err != nil {
		h.settingsFormError(w, r, err, "logo", "branding", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#branding")
}

func (h *Handler) logoDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := h.svc.SetLogo(r.Context(), access.FromContext(r.Context()), nil); err != nil {
		h.settingsFormError(w, r, err, "logo", "branding", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#branding")
}

// logoGet serves the tenant's logo to signed-in staff (the settings preview).
func (h *Handler) logoGet(w http.ResponseWriter, r *http.Request) {
	data, typ, err := h.svc.GetLogo(r.Context(), access.FromContext(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func ptrTo[T any](v T) *T { return &v }
