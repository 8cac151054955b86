# Builds Farmhand's example scene: a bevelled, coloured cube spinning and bobbing over a floor,
# lit by a warm key light and a cool fill, seen by a camera that tracks it. Small on purpose
# (Cycles, 320x180, 16 samples, no denoiser, fixed seed, 48 frames at 24 fps, PNG output) so a
# first render on a laptop farm finishes in under a minute and its frames compare pixel for pixel.
#
# Regenerate assets/examples/spinning-cube.blend (from the repository root):
#   HOME=$(mktemp -d) blender -b -noaudio --factory-startup \
#     --python-exit-code 2 --python assets/examples/make-example-scene.py -- assets/examples/spinning-cube.blend
# Render it all locally to compare with the farm:
#   HOME=$(mktemp -d) blender -b assets/examples/spinning-cube.blend -noaudio --disable-autoexec \
#     -o /tmp/spin/spinning-cube_#### -a
import math
import os
import sys

import bpy

FRAMES = 48


def output_path():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if not argv:
        raise SystemExit("usage: blender -b --python make-example-scene.py -- OUT.blend")
    return os.path.abspath(argv[0])


def material(name, color, roughness=0.5, metallic=0.0):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*color, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Metallic"].default_value = metallic
    mat.diffuse_color = (*color, 1.0)
    return mat


def setup_render(scene):
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 16
    scene.cycles.use_adaptive_sampling = False
    scene.cycles.use_denoising = False
    scene.cycles.seed = 7
    scene.cycles.use_animated_seed = False
    scene.cycles.max_bounces = 4
    scene.render.resolution_x, scene.render.resolution_y = 320, 180
    scene.render.resolution_percentage = 100
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.frame_start, scene.frame_end, scene.frame_step = 1, FRAMES, 1
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.filepath = "//render/spinning-cube_"
    scene.view_settings.view_transform = "Filmic"
    scene.view_settings.look = "Medium High Contrast"


def setup_world(scene):
    world = bpy.data.worlds.new("Sky")
    world.use_nodes = True
    background = world.node_tree.nodes["Background"]
    background.inputs["Color"].default_value = (0.32, 0.42, 0.60, 1.0)
    background.inputs["Strength"].default_value = 0.6
    scene.world = world


def add_cube():
    bpy.ops.mesh.primitive_cube_add(size=1.4, location=(0, 0, 1.0))
    cube = bpy.context.active_object
    cube.name = "Cube"
    bevel = cube.modifiers.new("Bevel", "BEVEL")
    bevel.width, bevel.segments = 0.12, 3
    bpy.ops.object.shade_smooth()
    cube.data.use_auto_smooth = True
    cube.data.materials.append(material("Coral", (0.90, 0.16, 0.06), roughness=0.35))
    # One full turn about Z and a quarter turn about X, with a small bob: loops seamlessly.
    for frame, turn, bob in ((1, 0.0, 0.0), (FRAMES + 1, 2 * math.pi, 0.0)):
        cube.rotation_euler = (turn / 4, 0.0, turn)
        cube.location.z = 1.0 + bob
        cube.keyframe_insert("rotation_euler", frame=frame)
        cube.keyframe_insert("location", index=2, frame=frame)
    cube.location.z = 1.35
    cube.keyframe_insert("location", index=2, frame=1 + FRAMES // 2)
    for curve in cube.animation_data.action.fcurves:
        for key in curve.keyframe_points:
            key.interpolation = "LINEAR" if curve.data_path == "rotation_euler" else "SINE"
    return cube


def add_floor():
    bpy.ops.mesh.primitive_plane_add(size=30, location=(0, 0, 0))
    floor = bpy.context.active_object
    floor.name = "Floor"
    floor.data.materials.append(material("Floor", (0.55, 0.53, 0.50), roughness=0.8))


def add_lights():
    bpy.ops.object.light_add(type="AREA", location=(3.5, -3.0, 4.5))
    key = bpy.context.active_object
    key.data.energy, key.data.size = 250, 2.5
    key.data.color = (1.0, 0.9, 0.78)
    key.rotation_euler = (math.radians(45), math.radians(25), math.radians(50))
    bpy.ops.object.light_add(type="AREA", location=(-4.0, -1.5, 3.0))
    fill = bpy.context.active_object
    fill.data.energy, fill.data.size = 80, 4.0
    fill.data.color = (0.7, 0.8, 1.0)
    fill.rotation_euler = (math.radians(60), math.radians(-35), math.radians(-60))


def add_camera(scene, target):
    bpy.ops.object.camera_add(location=(0.0, -6.5, 2.6))
    camera = bpy.context.active_object
    camera.data.lens = 40
    track = camera.constraints.new("TRACK_TO")
    track.target = target
    track.track_axis, track.up_axis = "TRACK_NEGATIVE_Z", "UP_Y"
    scene.camera = camera


def main():
    out = output_path()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.name = "SpinningCube"
    setup_render(scene)
    setup_world(scene)
    add_floor()
    cube = add_cube()
    bpy.ops.object.empty_add(location=(0, 0, 1.0))
    aim = bpy.context.active_object
    aim.name = "CameraTarget"
    add_camera(scene, aim)
    add_lights()
    scene.frame_set(1)
    bpy.ops.wm.save_as_mainfile(filepath=out, compress=True)
    print(f"Saved example scene to {out} (cube: {cube.name}, {FRAMES} frames)")


main()
