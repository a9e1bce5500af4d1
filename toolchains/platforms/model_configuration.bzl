"""The model configuration: datasets, training and int8 conversion do not depend on the
board a model is embedded for, so their rules build in one configuration (no target
platform) whatever asks for them. Every board's image then shares one trained model,
instead of training it again in each board's configuration.

Used as `cfg = model_configuration` on those rules (an incoming-edge transition); such a
rule also needs the `_allowlist_function_transition` attribute below.
"""

def _model_configuration_impl(_settings, _attr):
    return {"//command_line_option:platforms": []}

model_configuration = transition(
    implementation = _model_configuration_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

# Every rule with a Starlark transition needs this attribute (also mcu_image, board_files).
TRANSITION_ALLOWLIST = {
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}
