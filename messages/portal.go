package messages

// portalTexts holds the texts of the portal on phones, the lists' pagers
// and the engineer's console home.
var portalTexts = map[string][3]string{
	"pager.prev": {"Previous page", "Página anterior", "Página anterior"},
	// pager.rows is the position in a list whose size is not counted: rows, page number.
	"pager.rows": {"Rows %s–%s · page %s", "Filas %s–%s · página %s", "Linhas %s–%s · página %s"},
	// pager.of is the position in a list of known size.
	"pager.of": {"%s–%s of %s", "%s–%s de %s", "%s–%s de %s"},
	// The engineer's console home: open tickets and the time they logged.
	"home.tickets":      {"Open tickets", "Tickets abiertos", "Chamados abertos"},
	"home.time_entries": {"My time entries", "Mis registros de tiempo", "Meus registros de tempo"},
	"home.no_tickets":   {"No open tickets.", "No hay tickets abiertos.", "Nenhum chamado aberto."},
	"home.no_time":      {"You have not logged time on these tickets yet.", "Aún no ha registrado tiempo en estos tickets.", "Você ainda não registrou tempo nesses chamados."},
	"home.log_time_api": {"Time is logged through the API (POST /api/v1/tickets/{id}/time-entries).", "El tiempo se registra con la API (POST /api/v1/tickets/{id}/time-entries).", "O tempo é registrado pela API (POST /api/v1/tickets/{id}/time-entries)."},
	"ticket.number":     {"Ticket", "Ticket", "Chamado"},
	"ticket.title":      {"Subject", "Asunto", "Assunto"},
	"ticket.opened":     {"Opened", "Abierto", "Aberto"},
	"time.date":         {"Work date", "Fecha de trabajo", "Data do trabalho"},
	"time.minutes":      {"Minutes", "Minutos", "Minutos"},
	"time.billable":     {"Billable", "Facturable", "Faturável"},
}
