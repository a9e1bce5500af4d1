//! The generated crate for the tests' int8 model, on the host: what the firmware relies on.

use tflm::{ops, ElementType, Interpreter, Model, ALIGNMENT};

#[test]
fn model_bytes_are_aligned_and_complete() {
    assert_eq!(model::MODEL.0.as_ptr() as usize % ALIGNMENT, 0);
    assert_eq!(core::mem::align_of_val(&model::MODEL), ALIGNMENT);
    assert_eq!(model::MODEL.0.len(), model::MODEL_BYTES);
    let on_disk = std::fs::read("codegen/smoke_model_module_src/model.tflite").unwrap();
    assert_eq!(model::MODEL.0.as_slice(), on_disk.as_slice());
    assert_eq!(model::MODEL_SHA256.len(), 64);
    assert!(
        model::MACS > 1_000_000,
        "a MobileNetV2 has millions of MACs"
    );
}

#[test]
fn listed_operators_are_exactly_the_models() {
    let model = model::model().unwrap();
    let mut used: Vec<i32> = model
        .operator_codes()
        .map(|code| code.builtin_code)
        .collect();
    used.sort_unstable();
    used.dedup();
    let mut listed: Vec<i32> = model::OPS.iter().map(|op| op.builtin_code()).collect();
    listed.sort_unstable();
    assert_eq!(used, listed);
    // Nothing unused is linked: the quantized MobileNetV2 has no e.g. AVERAGE_POOL_2D twin.
    assert!(model::OPS
        .iter()
        .all(|op| ops::find(op.builtin_code()).is_some()));
}

#[test]
fn the_model_runs_in_exactly_the_generated_arena() {
    let model = model::model().unwrap();
    let mut arena = vec![0u8; model::ARENA_BYTES + ALIGNMENT];
    let start = arena.as_ptr().align_offset(ALIGNMENT);
    let arena = &mut arena[start..start + model::ARENA_BYTES];
    assert_eq!(model::ARENA_BYTES % ALIGNMENT, 0);
    {
        let mut interpreter = Interpreter::new(&model, &model::OPS, arena).unwrap();
        interpreter.invoke().unwrap();
    }
    // One alignment step less is too small: the size is measured, not padded.
    let short = model::ARENA_BYTES - ALIGNMENT;
    assert!(Interpreter::new(&model, &model::OPS, &mut arena[..short]).is_err());
}

#[test]
fn input_and_output_match_the_interpreter() {
    let model = model::model().unwrap();
    let mut arena = vec![0u8; model::ARENA_BYTES + ALIGNMENT];
    let start = arena.as_ptr().align_offset(ALIGNMENT);
    let interpreter = Interpreter::new(
        &model,
        &model::OPS,
        &mut arena[start..start + model::ARENA_BYTES],
    )
    .unwrap();
    let input = interpreter.input(0).unwrap();
    assert_eq!(input.shape(), model::input::SHAPE);
    assert_eq!(input.element_type(), model::input::ELEMENT_TYPE);
    assert_eq!(input.quantization().scale, model::input::SCALE);
    assert_eq!(input.quantization().zero_point, model::input::ZERO_POINT);
    assert_eq!(input.bytes().len(), model::input::FRAME_BYTES);
    let output = interpreter.output(0).unwrap();
    assert_eq!(output.bytes().len(), model::output::CLASSES.len());
    assert_eq!(output.element_type(), model::output::ELEMENT_TYPE);
    assert_eq!(output.quantization().scale, model::output::SCALE);
    assert_eq!(output.quantization().zero_point, model::output::ZERO_POINT);
    assert_eq!(model::output::CLASSES, ["no_person", "person"]);
}

#[test]
fn pixels_map_to_the_input_quantization() {
    // int8 input, scale 1, zero point -128 (what //quantization emits): pixel - 128.
    assert_eq!(model::input::ELEMENT_TYPE, ElementType::Int8);
    for pixel in 0..=255u8 {
        let expected = (i32::from(pixel) - 128) as i8;
        assert_eq!(
            model::input::PIXEL_TO_INPUT[usize::from(pixel)] as i8,
            expected
        );
    }
}

/// The model's outputs on one fixed frame, in `arena`.
fn outputs_on_a_frame(model: &Model<'_>, arena: &mut [u8]) -> Vec<u8> {
    let mut interpreter = Interpreter::new(model, &model::OPS, arena).unwrap();
    for (index, byte) in interpreter
        .input_mut(0)
        .unwrap()
        .bytes_mut()
        .iter_mut()
        .enumerate()
    {
        *byte = (index * 7 % 251) as u8;
    }
    interpreter.invoke().unwrap();
    interpreter.output(0).unwrap().bytes().to_vec()
}

#[test]
fn the_channel_constants_spare_the_arena_and_change_no_output() {
    let with_table = model::model().unwrap();
    let without_table = Model::new(model::MODEL.as_slice()).unwrap();
    assert!(model::CHANNEL_CONSTANTS.0.len() > 8, "a table with records");
    let mut arena = vec![0u8; 4 * model::ARENA_BYTES + ALIGNMENT];
    let start = arena.as_ptr().align_offset(ALIGNMENT);
    let arena = &mut arena[start..start + 4 * model::ARENA_BYTES];
    // Without the table the multipliers and shifts (5 bytes a channel) go into the arena.
    let needed = Interpreter::minimum_arena_bytes(&without_table, &model::OPS, arena).unwrap();
    assert!(needed > model::ARENA_BYTES);
    assert!(Interpreter::new(
        &without_table,
        &model::OPS,
        &mut arena[..model::ARENA_BYTES]
    )
    .is_err());
    let computed = outputs_on_a_frame(&without_table, arena);
    assert_eq!(
        outputs_on_a_frame(&with_table, &mut arena[..model::ARENA_BYTES]),
        computed
    );
}

#[test]
fn a_table_that_is_not_the_models_is_refused_with_the_op() {
    let mut arena = vec![0u8; 2 * model::ARENA_BYTES + ALIGNMENT];
    let start = arena.as_ptr().align_offset(ALIGNMENT);
    let arena = &mut arena[start..start + 2 * model::ARENA_BYTES];
    // One multiplier of the first record changed (header 8 B, record header 8 B).
    let mut table = tflm::AlignedBuffer([0u8; 1 << 16]);
    let bytes = model::CHANNEL_CONSTANTS.0.len();
    table.0[..bytes].copy_from_slice(&model::CHANNEL_CONSTANTS.0);
    table.0[16] ^= 1;
    let model = Model::new(model::MODEL.as_slice())
        .unwrap()
        .with_channel_constants(&table.0[..bytes]);
    let error = Interpreter::new(&model, &model::OPS, arena)
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("differs from the model for the op writing tensor"),
        "{error}"
    );
    // A table cut short is no table at all.
    let model = model.with_channel_constants(&table.0[..bytes - 4]);
    let error = Interpreter::new(&model, &model::OPS, arena)
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("is not one (wrong header, size or alignment)"),
        "{error}"
    );
}
