package browsertest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Focus is the element that has the keyboard focus, as a screen reader
// announces it.
type Focus struct {
	Role string // computed ARIA role: "textbox", "button", "link", "RootWebArea" for none
	Name string // computed accessible name: the label of a field, the text of a button
	ID   string // the element's id attribute, "" if none
}

// String is `role "name"`, with " #id" when the element has an id, as in
// `textbox "Voornaam" #first-name`.
func (f Focus) String() string {
	s := fmt.Sprintf("%s %q", f.Role, f.Name)
	if f.ID != "" {
		s += " #" + f.ID
	}
	return s
}

// Focused returns the element that has the focus now.
func (p *Page) Focused() Focus {
	p.t.Helper()
	return run(p, "read the focused element", focused)
}

// Tab presses Tab and returns the element that gets the focus.
func (p *Page) Tab() Focus {
	p.t.Helper()
	p.do("press Tab", chromedp.KeyEvent(kb.Tab))
	return p.Focused()
}

// ShiftTab presses Shift+Tab and returns the element that gets the focus.
func (p *Page) ShiftTab() Focus {
	p.t.Helper()
	p.do("press Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	return p.Focused()
}

// TabOrder presses Tab n times and returns the elements that got the focus,
// in order: what a keyboard user passes through.
func (p *Page) TabOrder(n int) []Focus {
	p.t.Helper()
	order := make([]Focus, 0, n)
	for range n {
		order = append(order, p.Tab())
	}
	return order
}

// Type types text into the focused element, key by key. A "\n" is Enter.
func (p *Page) Type(text string) {
	p.t.Helper()
	p.do(fmt.Sprintf("type %q", text), chromedp.KeyEvent(text))
}

// Enter presses Enter on the focused element: it submits a form from a
// field, and activates a focused button or link.
func (p *Page) Enter() {
	p.t.Helper()
	p.do("press Enter", chromedp.KeyEvent(kb.Enter))
}

// focused reads the focused element's role and name from Chromium's
// accessibility tree, which is what assistive technology gets.
func focused(ctx context.Context, t *chromedp.Target) (Focus, error) {
	el, err := chromedp.Evaluate[*runtime.RemoteObject](`document.activeElement || document.body`)(ctx, t)
	if err != nil {
		return Focus{}, err
	}
	defer cdp.Call(ctx, t, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: el.ObjectID})
	var f Focus
	id, err := chromedp.CallFunctionOn[string](`function() { return this.id || ""; }`,
		func(p *runtime.CallFunctionOnParams) { p.ObjectID = el.ObjectID })(ctx, t)
	if err != nil {
		return Focus{}, fmt.Errorf("read the id: %w", err)
	}
	f.ID = id
	tree, err := cdp.Call(ctx, t, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{
		ObjectID: el.ObjectID, FetchRelatives: new(false),
	})
	if err != nil {
		return Focus{}, fmt.Errorf("read the accessibility tree: %w", err)
	}
	if len(tree.Nodes) > 0 {
		n := tree.Nodes[0]
		f.Role, f.Name = axString(n.Role), axString(n.Name)
	}
	return f, nil
}

// axString returns the text of an accessibility value.
func axString(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal([]byte(v.Value), &s) != nil {
		return string(v.Value)
	}
	return s
}
