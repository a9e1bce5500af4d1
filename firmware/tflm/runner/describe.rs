//! What firmware built for a model needs, measured by running the model once through this
//! wrapper and TFLM library: the operators to register (and only those), the model's
//! channel constants table, the smallest arena they run in with it (and what goes in that
//! arena), and the input and output tensors. Written as JSON and the table's bytes for
//! //codegen.

use std::fmt::Write;

use tflm::{ops, AlignedBuffer, ElementType, Interpreter, Model, Op, Tensor};

/// The largest channel constants table described.
const MAX_TABLE_BYTES: usize = tflm_batch::MAX_CHANNEL_CONSTANTS_BYTES;

/// The model's operators as kernels of this library, each once, in order of first use.
fn model_ops(model: &Model<'_>) -> Result<Vec<(Op, i32)>, String> {
    let mut found: Vec<(Op, i32)> = Vec::new();
    for code in model.operator_codes() {
        let op = ops::find(code.builtin_code).ok_or_else(|| {
            format!(
                "builtin operator {} has no kernel in this TFLM library",
                code.builtin_code
            )
        })?;
        match found
            .iter_mut()
            .find(|(known, _)| known.builtin_code() == op.builtin_code())
        {
            Some((_, version)) => *version = (*version).max(code.version),
            None => found.push((op, code.version)),
        }
    }
    Ok(found)
}

fn type_name(element_type: ElementType) -> String {
    match element_type {
        ElementType::Float32 => "float32".into(),
        ElementType::Int32 => "int32".into(),
        ElementType::UInt8 => "uint8".into(),
        ElementType::Int64 => "int64".into(),
        ElementType::Bool => "bool".into(),
        ElementType::Int16 => "int16".into(),
        ElementType::Int8 => "int8".into(),
        ElementType::Float16 => "float16".into(),
        ElementType::Other(code) => format!("tflite_type_{code}"),
    }
}

fn tensor_json(tensor: &Tensor<'_>) -> String {
    let quantization = tensor.quantization();
    let shape: Vec<String> = tensor.shape().iter().map(i32::to_string).collect();
    format!(
        r#"{{"shape": [{}], "type": "{}", "bytes": {}, "scale": {:?}, "scale_bits": {}, "zero_point": {}}}"#,
        shape.join(", "),
        type_name(tensor.element_type()),
        tensor.bytes().len(),
        quantization.scale,
        quantization.scale.to_bits(),
        quantization.zero_point,
    )
}

/// What `describe` found: the JSON and the channel constants table.
pub struct Description {
    pub json: String,
    pub channel_constants: Vec<u8>,
}

/// Measures `model` in `arena` (which must hold it).
pub fn describe(model: &[u8], arena: &mut [u8]) -> Result<Description, String> {
    let model = Model::new(model).map_err(|error| error.to_string())?;
    let found = model_ops(&model)?;
    let ops: Vec<Op> = found.iter().map(|(op, _)| *op).collect();
    let without_table =
        Interpreter::minimum_arena_bytes(&model, &ops, arena).map_err(|error| error.to_string())?;
    let mut table = Box::new(AlignedBuffer::<MAX_TABLE_BYTES>::new());
    let table_bytes = Interpreter::channel_constants(&model, &ops, arena, &mut table.0)
        .map_err(|error| error.to_string())?;
    let channel_constants = table.0[..table_bytes].to_vec();
    let model = model.with_channel_constants(&table.0[..table_bytes]);
    let minimum =
        Interpreter::minimum_arena_bytes(&model, &ops, arena).map_err(|error| error.to_string())?;
    // Run once in exactly that arena: the size is proven, not only allocated.
    let mut interpreter =
        Interpreter::new(&model, &ops, &mut arena[..minimum]).map_err(|error| error.to_string())?;
    interpreter.invoke().map_err(|error| error.to_string())?;

    let used = interpreter.arena_used_bytes();
    let activations = interpreter.arena_activation_bytes();
    let own = interpreter.arena_interpreter_bytes();
    let mut json = String::from("{\n");
    let _ = writeln!(json, r#"  "minimum_arena_bytes": {minimum},"#);
    let _ = writeln!(json, r#"  "arena_used_bytes": {used},"#);
    // The arena as activations plus each overhead: what TFLM and the kernels keep
    // (tensor structs, quantization, nodes, kernel state), the wrapper's object, and the
    // transient room TFLM's planner needs beyond what stays allocated.
    let _ = writeln!(
        json,
        r#"  "arena": {{"activations": {activations}, "tflm_and_kernels": {}, "interpreter": {own}, "planner_transient": {}}},"#,
        used - activations - own,
        minimum - used,
    );
    let _ = writeln!(
        json,
        r#"  "minimum_arena_bytes_without_table": {without_table},"#
    );
    let _ = writeln!(json, r#"  "channel_constants_bytes": {table_bytes},"#);
    let _ = writeln!(
        json,
        r#"  "pointer_bytes": {},"#,
        core::mem::size_of::<usize>()
    );
    let operators: Vec<String> = found
        .iter()
        .map(|(op, version)| {
            format!(
                r#"{{"name": "{}", "builtin_code": {}, "version": {version}}}"#,
                op.name(),
                op.builtin_code()
            )
        })
        .collect();
    let _ = writeln!(json, r#"  "operators": [{}],"#, operators.join(", "));
    for (kind, count, last) in [
        ("inputs", interpreter.input_count(), false),
        ("outputs", interpreter.output_count(), true),
    ] {
        let mut tensors = Vec::new();
        for index in 0..count {
            let tensor = if kind == "inputs" {
                interpreter.input(index)
            } else {
                interpreter.output(index)
            }
            .map_err(|error| error.to_string())?;
            tensors.push(tensor_json(&tensor));
        }
        let _ = writeln!(
            json,
            r#"  "{kind}": [{}]{}"#,
            tensors.join(", "),
            if last { "" } else { "," }
        );
    }
    json.push_str("}\n");
    Ok(Description {
        json,
        channel_constants,
    })
}
