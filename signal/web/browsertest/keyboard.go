package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
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

// nonElementRoles are the roles of accessibility nodes a locator by name
// must not return: the text inside an element and a label, which carry the
// same name as the control they describe.
var nonElementRoles = map[string]bool{
	"StaticText": true, "InlineTextBox": true, "LabelText": true,
	"generic": true, "none": true, "presentation": true,
	"RootWebArea": true, // the document, named by its title
}

// byAccessibleName finds the elements whose computed accessible name is
// name, below root, for chromedp.ByFunc. It returns no nodes (so a wait
// retries) until one exists.
func byAccessibleName(name string) func(ctx context.Context, t *chromedp.Target, root *chromedp.Node) ([]cdp.NodeID, error) {
	return func(ctx context.Context, t *chromedp.Target, root *chromedp.Node) ([]cdp.NodeID, error) {
		root.RLock()
		rootID := root.NodeID
		root.RUnlock()
		return queryByName(ctx, t, rootID, name)
	}
}

// queryByName returns the elements below root whose accessible name is name.
func queryByName(ctx context.Context, t *chromedp.Target, rootID cdp.NodeID, name string) ([]cdp.NodeID, error) {
	{
		res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{NodeID: rootID, AccessibleName: name})
		if err != nil {
			return nil, fmt.Errorf("query the accessibility tree for %q: %w", name, err)
		}
		var backend []cdp.BackendNodeID
		for _, n := range res.Nodes {
			if n.Ignored || n.BackendDOMNodeID == 0 || nonElementRoles[axString(n.Role)] {
				continue
			}
			backend = append(backend, n.BackendDOMNodeID)
		}
		if len(backend) == 0 {
			return nil, nil
		}
		ids, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
		if err != nil {
			return nil, fmt.Errorf("find the nodes named %q: %w", name, err)
		}
		return ids.NodeIDs, nil
	}
}

// documentNode returns the root of the current document.
func documentNode(ctx context.Context, t *chromedp.Target) (cdp.NodeID, error) {
	doc, err := cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{Depth: new(int64(0))})
	if err != nil {
		return 0, fmt.Errorf("get the document: %w", err)
	}
	return doc.Root.NodeID, nil
}

// callOnNode calls a JavaScript function with the element as this.
func callOnNode[T any](ctx context.Context, t *chromedp.Target, id cdp.NodeID, function string, args ...any) (T, error) {
	var zero T
	r, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: id})
	if err != nil {
		return zero, fmt.Errorf("resolve the node: %w", err)
	}
	defer cdp.Call(ctx, t, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: r.Object.ObjectID})
	return chromedp.CallFunctionOn[T](function, func(p *runtime.CallFunctionOnParams) { p.ObjectID = r.Object.ObjectID }, args...)(ctx, t)
}

// joinLines indents lines under a heading for a test message.
func joinLines(lines []string) string { return "\n  " + strings.Join(lines, "\n  ") }
