package policy

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/signaal-nl/signaal/signal"
)

// reasonTextsQuery is the policy's catalogue of reason sentences, by code.
const reasonTextsQuery = "data.signaal.reason_texts"

// ReasonTexts returns the policy's sentence for each reason code, in Dutch
// and English. The audit log keeps reason codes only; the privacy officer's
// console shows these sentences next to them. A policy without the
// catalogue has none (the codes are shown alone).
func (e *Engine) ReasonTexts() map[string]signal.Text { return e.reasonTexts }

func readReasonTexts(ctx context.Context, compiler *ast.Compiler) (map[string]signal.Text, error) {
	out := map[string]signal.Text{}
	if len(compiler.GetRulesForVirtualDocument(ast.MustParseRef(reasonTextsQuery))) == 0 {
		return out, nil
	}
	rs, err := rego.New(rego.Query(reasonTextsQuery), rego.Compiler(compiler)).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("read reason texts: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return out, nil
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, fmt.Errorf("read reason texts: %w", err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%w: reason texts: %v", ErrContract, err)
	}
	return out, nil
}
