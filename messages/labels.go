package messages

// labelTexts holds the texts of the labels of codes and kinds shown in the console and portal (subscription kinds, intervals, run phases, outbox and audit codes, units).
var labelTexts = map[string][3]string{}
