package server_test

import (
	"slices"

	"github.com/facturo/facturo/access"
)

// accSignedIn stands for "any signed-in caller, whatever its role" in
// accPermissionTable; accPublic for "anyone, credentials or not".
const (
	accSignedIn access.Permission = "(signed in)"
	accPublic   access.Permission = "(public)"
)

// accPermissionTable is DESIGN.md "Roles" read as operation → permission:
// the caller needs ANY of the listed permissions (OwnAccount: the portal
// customer on its own account). Which role holds which permission is the
// one table in access/roles.go, pinned to DESIGN.md by access/roles_test.go;
// TestRoleMatrix derives from both who must get through and who must get
// 403. Keys are the OpenAPI "METHOD /path", with the matrix row's label when
// one operation has rows for several actions. An operation of the OpenAPI
// document without an entry here fails TestRoleMatrix.
var accPermissionTable = map[string][]access.Permission{
	"POST /api/v1/auth/login":  {accPublic},
	"POST /api/v1/auth/logout": {accPublic},
	"GET /api/v1/me":           {accSignedIn},

	// administrator: users, API keys, tenant settings, taxes, number series.
	"GET /api/v1/users":                    {access.ManageUsers},
	"POST /api/v1/users":                   {access.ManageUsers},
	"PATCH /api/v1/users/{id}":             {access.ManageUsers},
	"GET /api/v1/api-keys":                 {access.ManageAPIKeys},
	"POST /api/v1/api-keys":                {access.ManageAPIKeys},
	"DELETE /api/v1/api-keys/{id}":         {access.ManageAPIKeys},
	"GET /api/v1/tenant":                   {access.ReadTenant, access.OwnAccount}, // the seller on every document
	"PATCH /api/v1/tenant":                 {access.ManageTenant},
	"GET /api/v1/tenant/branding":          {access.ReadSettings},
	"PATCH /api/v1/tenant/branding":        {access.ManageTenant},
	"PUT /api/v1/tenant/logo":              {access.ManageTenant},
	"GET /api/v1/tenant/logo":              {access.ReadTenant, access.OwnAccount},
	"DELETE /api/v1/tenant/logo":           {access.ManageTenant},
	"GET /api/v1/tax-codes":                {access.ReadSettings},
	"PUT /api/v1/tax-codes/{code}":         {access.ManageTenant},
	"GET /api/v1/tax-groups":               {access.ReadSettings},
	"PUT /api/v1/tax-groups/{kind}/{code}": {access.ManageTenant},
	"PUT /api/v1/tax-mode":                 {access.ManageTenant},
	// Custom field definitions: the labels show on customers' documents too.
	"GET /api/v1/custom-fields":                       {access.ReadSettings, access.OwnAccount},
	"PUT /api/v1/custom-fields/{applies_to}/{key}":    {access.ManageTenant},
	"DELETE /api/v1/custom-fields/{applies_to}/{key}": {access.ManageTenant},
	"GET /api/v1/number-series":                       {access.ReadSettings},
	"PUT /api/v1/number-series/{kind}":                {access.ManageTenant},
	"GET /api/v1/tenant/dunning":                      {access.ReadSettings},
	"PUT /api/v1/tenant/dunning":                      {access.ManageTenant},
	"GET /api/v1/wallet-settings":                     {access.ReadSettings},
	"PUT /api/v1/wallet-settings":                     {access.ManageTenant},
	"PATCH /api/v1/wallet-settings":                   {access.ManageTenant},
	// The exchange-rate table: the ledger roles write it, staff read it.
	"GET /api/v1/exchange-rates":                      {access.ReadExchangeRates},
	"PUT /api/v1/exchange-rates/{currency}/{date}":    {access.ManageExchangeRates},
	"DELETE /api/v1/exchange-rates/{currency}/{date}": {access.ManageExchangeRates},
	"POST /api/v1/exchange-rates/csv":                 {access.ManageExchangeRates},
	"GET /api/v1/reason-codes":                        {access.ReadInvoices},
	"PUT /api/v1/reason-codes/{code}":                 {access.ManageTenant},
	"PUT /api/v1/approval-workflow":                   {access.ManageTenant},
	"GET /api/v1/audit-events":                        {access.ReadAudit},

	// Customers: group manager and sales write them; finance edits billing
	// information only; the portal customer its own billing information.
	"GET /api/v1/customers":                            {access.ReadCustomers, access.OwnAccount},
	"POST /api/v1/customers":                           {access.WriteCustomers},
	"GET /api/v1/customers/{id}":                       {access.ReadCustomers, access.OwnAccount},
	"PATCH /api/v1/customers/{id} billing fields only": {access.WriteBillingInfo, access.OwnAccount},
	"PATCH /api/v1/customers/{id} name":                {access.WriteCustomers},
	"POST /api/v1/customers/{id}/archive":              {access.WriteCustomers},
	"POST /api/v1/customers/{id}/restore":              {access.WriteCustomers},
	"GET /api/v1/customers/{id}/dashboard":             {access.ReadCustomers, access.OwnAccount},

	// Invoices: finance drafts, edits, submits, issues and changes statuses
	// except void; approving, voiding and correcting need invoices.approve.
	"GET /api/v1/invoices":                                     {access.ReadInvoices, access.OwnAccount},
	"POST /api/v1/invoices":                                    {access.WriteInvoices},
	"POST /api/v1/invoices/preview":                            {access.WriteInvoices},
	"GET /api/v1/invoices/{id}":                                {access.ReadInvoices, access.OwnAccount},
	"GET /api/v1/invoices/{id}/totals":                         {access.ReadInvoices, access.OwnAccount},
	"GET /api/v1/invoices/{id}/notifications":                  {access.ReadInvoices},
	"PATCH /api/v1/invoices/{id}":                              {access.WriteInvoices},
	"DELETE /api/v1/invoices/{id}":                             {access.WriteInvoices},
	"POST /api/v1/invoices/{id}/status issue":                  {access.WriteInvoices},
	"POST /api/v1/invoices/{id}/status past due":               {access.WriteInvoices},
	"POST /api/v1/invoices/{id}/status close":                  {access.WriteInvoices},
	"POST /api/v1/invoices/{id}/status void":                   {access.ApproveInvoices},
	"GET /api/v1/invoices/{id}/pdf":                            {access.ReadInvoices, access.OwnAccount},
	"GET /api/v1/invoices/{id}/ubl":                            {access.ReadInvoices, access.OwnAccount},
	"GET /api/v1/invoices/{id}/print":                          {access.ReadInvoices, access.OwnAccount},
	"GET /api/v1/invoices.csv":                                 {access.ReadInvoices, access.OwnAccount},
	"GET /api/v1/invoice-lines.csv":                            {access.ReadInvoices, access.OwnAccount},
	"POST /api/v1/invoices/{id}/correct":                       {access.ApproveInvoices},
	"POST /api/v1/invoices/{id}/submit":                        {access.WriteInvoices},
	"POST /api/v1/invoices/{id}/approve":                       {access.ApproveInvoices},
	"POST /api/v1/invoices/{id}/reject":                        {access.ApproveInvoices},
	"GET /api/v1/invoices/{id}/workflow":                       {access.ReadInvoices},
	"GET /api/v1/recurring-invoices":                           {access.ReadInvoices},
	"POST /api/v1/recurring-invoices":                          {access.WriteInvoices},
	"GET /api/v1/recurring-invoices/{id}":                      {access.ReadInvoices},
	"PATCH /api/v1/recurring-invoices/{id}":                    {access.WriteInvoices},
	"POST /api/v1/invoices/{id}/attachments":                   {access.WriteInvoices},
	"GET /api/v1/invoices/{id}/attachments":                    {access.ReadInvoices},
	"GET /api/v1/invoices/{id}/attachments/{attachment_id}":    {access.ReadInvoices},
	"DELETE /api/v1/invoices/{id}/attachments/{attachment_id}": {access.WriteInvoices},

	// The ledger.
	"GET /api/v1/ledger/accounts":                {access.ReadLedger},
	"PUT /api/v1/ledger/accounts/{code}":         {access.ManageLedger},
	"GET /api/v1/ledger/posting-profiles":        {access.ReadLedger},
	"PUT /api/v1/ledger/posting-profiles/{code}": {access.ManageLedger},
	"GET /api/v1/ledger/trial-balance":           {access.ReadLedger},
	"GET /api/v1/ledger/accounts/{code}/lines":   {access.ReadLedger},
	"GET /api/v1/ledger/receivables":             {access.ReadLedger},
	"GET /api/v1/ledger/invoice-journal":         {access.ReadLedger},
	"GET /api/v1/ledger/entries/{id}":            {access.ReadLedger},

	// Sales items and their sources (seed 002); engineers log time only.
	"GET /api/v1/sales-items":                {access.ManageSalesItems},
	"POST /api/v1/sales-items":               {access.ManageSalesItems},
	"GET /api/v1/sales-items/{id}":           {access.ManageSalesItems},
	"PATCH /api/v1/sales-items/{id}":         {access.ManageSalesItems},
	"POST /api/v1/sales-items/{id}/cancel":   {access.ManageSalesItems},
	"POST /api/v1/usage":                     {access.ManageSalesItems},
	"POST /api/v1/usage/csv":                 {access.ManageSalesItems},
	"GET /api/v1/products":                   {access.ReadCatalog},
	"POST /api/v1/products":                  {access.ManageCatalog},
	"PATCH /api/v1/products/{id}":            {access.ManageCatalog},
	"GET /api/v1/contracts":                  {access.ManageSalesItems},
	"POST /api/v1/contracts":                 {access.ManageSalesItems},
	"PATCH /api/v1/contracts/{id}":           {access.ManageSalesItems},
	"GET /api/v1/tickets":                    {access.ManageSalesItems, access.LogTime},
	"POST /api/v1/tickets":                   {access.ManageSalesItems},
	"POST /api/v1/tickets/{id}/time-entries": {access.LogTime},

	// Billing runs.
	"POST /api/v1/billing-runs":               {access.RunBilling},
	"GET /api/v1/billing-runs":                {access.RunBilling},
	"GET /api/v1/billing-runs/{id}":           {access.RunBilling},
	"POST /api/v1/customers/{id}/invoice-now": {access.RunBilling},

	// Email outbox and webhooks (a setting: administrators only).
	"GET /api/v1/outbox":                            {access.ReadNotifications},
	"GET /api/v1/outbox/{id}":                       {access.ReadNotifications},
	"POST /api/v1/outbox/{id}/retry":                {access.RetryEmail},
	"POST /api/v1/webhook-endpoints":                {access.ManageWebhooks},
	"GET /api/v1/webhook-endpoints":                 {access.ManageWebhooks},
	"GET /api/v1/webhook-endpoints/{id}":            {access.ManageWebhooks},
	"PATCH /api/v1/webhook-endpoints/{id}":          {access.ManageWebhooks},
	"DELETE /api/v1/webhook-endpoints/{id}":         {access.ManageWebhooks},
	"GET /api/v1/webhook-endpoints/{id}/attempts":   {access.ManageWebhooks},
	"GET /api/v1/webhook-endpoints/{id}/deliveries": {access.ManageWebhooks},
	"POST /api/v1/webhook-deliveries/{id}/retry":    {access.ManageWebhooks},

	// Payments: finance and up; the portal customer pays its own invoices
	// and keeps its own cards.
	"GET /api/v1/customers/{id}/payment-methods":                              {access.ReadCustomers, access.OwnAccount},
	"POST /api/v1/customers/{id}/payment-methods":                             {access.ManagePayments, access.OwnAccount},
	"POST /api/v1/customers/{id}/payment-methods/setup":                       {access.ManagePayments, access.OwnAccount},
	"POST /api/v1/customers/{id}/payment-methods/{payment_method_id}/primary": {access.ManagePayments, access.OwnAccount},
	"DELETE /api/v1/customers/{id}/payment-methods/{payment_method_id}":       {access.ManagePayments, access.OwnAccount},
	"GET /api/v1/customers/{id}/credit":                                       {access.ReadInvoices, access.OwnAccount},
	"POST /api/v1/customers/{id}/settle":                                      {access.ManagePayments},
	"POST /api/v1/invoices/{id}/pay":                                          {access.ManagePayments, access.OwnAccount},
	"POST /api/v1/payments":                                                   {access.ManagePayments},
	"GET /api/v1/payments":                                                    {access.ManagePayments, access.OwnAccount},
	"GET /api/v1/payments/{id}":                                               {access.ManagePayments, access.OwnAccount},
	"POST /api/v1/payments/{id}/refunds":                                      {access.ManagePayments},

	// Subscriptions and wallets (seed 003): wallets are finance manager and
	// up (a draw posts revenue); the portal customer its own wallet.
	"GET /api/v1/subscriptions":                   {access.ReadCustomers, access.OwnAccount},
	"POST /api/v1/subscriptions":                  {access.ManageSubscriptions},
	"GET /api/v1/subscriptions/{id}":              {access.ReadCustomers, access.OwnAccount},
	"POST /api/v1/subscriptions/{id}/quantity":    {access.ManageSubscriptions},
	"POST /api/v1/subscriptions/{id}/pause":       {access.ManageSubscriptions},
	"POST /api/v1/subscriptions/{id}/resume":      {access.ManageSubscriptions},
	"POST /api/v1/subscriptions/{id}/cancel":      {access.ManageSubscriptions},
	"GET /api/v1/customers/{id}/wallet":           {access.ManageWallets, access.OwnAccount},
	"PUT /api/v1/customers/{id}/wallet":           {access.ManageWallets, access.OwnAccount},
	"POST /api/v1/customers/{id}/wallet/top-ups":  {access.ManageWallets, access.OwnAccount},
	"POST /api/v1/customers/{id}/wallet/grants":   {access.ManageWallets},
	"POST /api/v1/customers/{id}/wallet/draws":    {access.ManageWallets},
	"GET /api/v1/customers/{id}/wallet/movements": {access.ManageWallets, access.OwnAccount},
	"GET /api/v1/customers/{id}/wallet/recharges": {access.ManageWallets, access.OwnAccount},
	"GET /api/v1/me/dashboard":                    {access.OwnAccount},
	"PATCH /api/v1/me/billing":                    {access.OwnAccount},
	"GET /api/v1/me/subscriptions":                {access.OwnAccount},
	"GET /api/v1/me/wallet":                       {access.OwnAccount},
	"PUT /api/v1/me/wallet":                       {access.OwnAccount},
	"POST /api/v1/me/wallet/top-ups":              {access.OwnAccount},
}

// accAllows reports whether role may call an operation that needs any of perms.
func accAllows(perms []access.Permission, role access.Role) bool {
	return slices.ContainsFunc(perms, func(p access.Permission) bool {
		return p == accPublic || p == accSignedIn || role.Can(p)
	})
}
