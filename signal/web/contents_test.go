package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestContentsAndOpenedItemOverTheAPI (issue 16, item 7): the contents list
// over loopback names no one and counts as the agenda does; its filter
// refuses a value it does not know, naming the field; opening an item is
// the item as on the agenda, and opening it again unchanged says so.
func TestContentsAndOpenedItemOverTheAPI(t *testing.T) {
	se := newMeetingsEnv(t)
	se.mustSubmit("school", signalBody("Sanne de Vries", "vaak te laat", "lijkt moe", signal.OutcomeShareFull), signal.OutcomeShareFull)
	se.mustSubmit("youthwork", signalBody("Sanne de Vries", "rondhangen 's nachts", "", signal.OutcomeDoNotShare), signal.OutcomeDoNotShare)
	se.mustSubmit("youthwork", signalBody("Daan Jansen", "zorgen over thuis", "", signal.OutcomeAskConsent), signal.OutcomeAskConsent)
	var mt signal.Meeting
	se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg december", "starts_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &mt)
	base := "/api/v1/meetings/" + mt.ID

	var ct signal.AgendaContents
	res := se.json("coordinator", "GET", base+"/contents", nil, http.StatusOK, &ct)
	for _, leak := range []string{"Sanne", "Daan", "vaak te laat", "rondhangen", "zorgen", "lijkt moe", "2011"} {
		if strings.Contains(string(res.body), leak) {
			t.Errorf("the contents list shows %q: %s", leak, res.body)
		}
	}
	var ag signal.Agenda
	se.json("coordinator", "GET", base+"/agenda", nil, http.StatusOK, &ag)
	if len(ct.Entries) != len(ag.Items) || ct.Entries[0].Ref != ag.Items[0].Ref || ct.Entries[0].Signals != len(ag.Items[0].Signals) || !ct.Entries[0].Match {
		t.Fatalf("contents %+v, agenda items %d", ct.Entries, len(ag.Items))
	}
	se.json("coordinator", "GET", base+"/contents?match=true", nil, http.StatusOK, &ct)
	if len(ct.Entries) != 1 || ct.Total != 2 {
		t.Errorf("match filter: %d of %d", len(ct.Entries), ct.Total)
	}
	for q, field := range map[string]string{"match=yes": `"match"`, "section=later": `"section"`, "level=secret": `"level"`} {
		res := se.json("coordinator", "GET", base+"/contents?"+q, nil, http.StatusBadRequest, nil)
		if !strings.Contains(string(res.body), field) {
			t.Errorf("%s: %s does not name %s", q, res.body, field)
		}
	}
	se.json("school", "GET", base+"/contents", nil, http.StatusForbidden, nil)
	se.json("elsewhere-coordinator", "GET", base+"/contents", nil, http.StatusNotFound, nil)

	var op signal.OpenedItem
	se.json("coordinator", "GET", base+"/items/"+ag.Items[0].Ref, nil, http.StatusOK, &op)
	if op.Again || op.Item.Youth == nil || op.Item.Youth.Name != "Sanne de Vries" || op.Item.Number != 1 || len(op.Item.Signals) != 2 {
		t.Fatalf("opened %+v", op)
	}
	se.json("coordinator", "GET", base+"/items/"+ag.Items[0].Ref, nil, http.StatusOK, &op)
	if !op.Again {
		t.Errorf("opened again unchanged: again %v", op.Again)
	}
	se.json("coordinator", "GET", base+"/items/y-nobody", nil, http.StatusNotFound, nil)
	se.json("elsewhere-coordinator", "GET", base+"/items/"+ag.Items[0].Ref, nil, http.StatusNotFound, nil)
}
